package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The directory the disks of one home root share for their namespace files ({@code <home-root>/.disk/.ns}, a private
 * binding of itself), as root on this host's kernel. The hosted desktops' first resets run at once, a thread each
 * (SoakIT saw it): each found the directory not yet bound and bound it, and a binding made after another desktop's
 * namespace file was bound hid that file, so entering it failed ({@code nsenter: reassociate to namespace 'ns/mnt'
 * failed: Invalid argument}) and every later reset of that desktop failed to unmount it ({@code umount: not mounted},
 * while {@code mountinfo} still listed it). Here the directory is bound once whatever the overlap, also where the home
 * root is reached through a link (mountinfo lists the real path: the check never found it bound and every disk bound it
 * again), and a disk whose namespace file is hidden so (by a former agent) is made anew at its next renewal.
 */
class DesktopDiskSharedNamespacesTest {

    /** A uid of this test alone (no passwd entry), given the homes. */
    private static final long UID = 61996;
    private static final int DESKTOPS = 4;
    /** Rounds of simultaneous first renewals, each on a home root of its own (so each begins with no binding). */
    private static final int ROUNDS = 6;

    private final List<Path> roots = new ArrayList<>();
    private final List<DesktopDisk> disks = new ArrayList<>();
    private final ExecutorService threads = Executors.newFixedThreadPool(DESKTOPS);

    @AfterEach
    void cleanUp() throws IOException {
        threads.shutdownNow();
        disks.forEach(DesktopDisk::remove);
        for (Path root : roots) {
            DesktopDisk.removeShared(root.resolve(".disk"));
            // a binding hidden under another outlives the removal of the top one: drop what is left, innermost last
            for (int round = 0; round < 4 && DesktopDisk.mountPoint(root.resolve(".disk").resolve(".ns")); round++) {
                DesktopDisk.removeShared(root.resolve(".disk"));
            }
            try (Stream<Path> left = Files.walk(root.getParent())) {
                left.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void desktopsRenewedAtOnceBindTheSharedDirectoryOnceAndEachNamespaceCanBeEntered() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Path homes = homeRoot();
            List<DesktopDisk> these = new ArrayList<>();
            for (int i = 0; i < DESKTOPS; i++) {
                these.add(hosted(homes, i));
            }
            CyclicBarrier start = new CyclicBarrier(DESKTOPS);
            List<Future<?>> renewals = new ArrayList<>();
            for (DesktopDisk disk : these) {
                renewals.add(threads.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    disk.renew(new WorkerExec(UID, homes));
                    return null;
                }));
            }
            for (Future<?> renewal : renewals) {
                renewal.get(60, TimeUnit.SECONDS);
            }
            Path shared = homes.resolve(".disk").resolve(".ns");
            assertEquals(1, mountsAt(shared), "round " + round + ": the shared directory " + shared + " is bound "
                    + mountsAt(shared) + " times");
            for (DesktopDisk disk : these) {
                assertEntered(disk);
            }
        }
    }

    @Test
    void aDiskWhoseNamespaceFileIsHiddenUnderAnotherBindingIsMadeAnewAtItsNextRenewal() throws Exception {
        Path homes = homeRoot();
        DesktopDisk disk = hosted(homes, 0);
        WorkerExec workers = new WorkerExec(UID, homes);
        disk.renew(workers);
        assertEntered(disk);
        Path shared = homes.resolve(".disk").resolve(".ns");
        // what the race above left: the directory bound again over the namespace file's binding
        run("mount", "--bind", shared.toString(), shared.toString());
        run("mount", "--make-private", shared.toString());

        disk.renew(workers);

        assertEntered(disk);
    }

    @Test
    void aHomeRootReachedThroughALinkIsBoundOnceAndItsDesktopsResetAgain() throws Exception {
        Path real = homeRoot();
        Path link = Files.createSymbolicLink(real.getParent().resolve("linked"), real.getFileName());
        Path homes = link;
        WorkerExec workers = new WorkerExec(UID, homes);
        DesktopDisk first = hosted(homes, 0);
        DesktopDisk second = hosted(homes, 1);
        first.renew(workers);
        second.renew(workers);

        Path shared = real.resolve(".disk").resolve(".ns");
        assertEquals(1, mountsAt(shared), "the shared directory " + shared + " is bound " + mountsAt(shared) + " times");
        assertEntered(first);
        assertEntered(second);
        first.renew(workers); // the home's binding found and dropped, so its files can be made anew
        assertEntered(first);
    }

    private Path homeRoot() throws IOException {
        Path homes = Files.createTempDirectory("envgrid-shared-ns").resolve("homes");
        Files.createDirectories(homes);
        roots.add(homes);
        return homes;
    }

    private DesktopDisk hosted(Path homes, int index) {
        DesktopDisk disk = DesktopDisk.hosted(homes, index, homes.resolve("desktop-" + index), 2L * 1024 * 1024);
        disks.add(disk);
        return disk;
    }

    /** A command entering the disk's mount namespace sees its {@code /tmp}, the disk's {@code tmp/}. */
    private static void assertEntered(DesktopDisk disk) throws IOException {
        Path marker = Files.createTempFile(disk.temp(), "entered", "");
        List<String> command = new ArrayList<>(disk.enterPrefix());
        command.addAll(List.of("test", "-e", Path.of("/tmp").resolve(marker.getFileName()).toString()));
        ProcessOutcome outcome = HostProcesses.run(command, null, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                Duration.ofSeconds(10));
        assertTrue(outcome.succeeded(), "entering " + disk.recording().getParent().getParent() + "'s namespace: "
                + outcome.exitCode() + " " + outcome.stderr());
    }

    private static long mountsAt(Path path) throws IOException {
        String wanted = " " + path.toAbsolutePath().normalize() + " ";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(wanted)).count();
    }

    private static void run(String... command) {
        ProcessOutcome outcome = HostProcesses.run(List.of(command), null, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                Duration.ofSeconds(10));
        assertTrue(outcome.succeeded(), String.join(" ", command) + ": " + outcome.stderr());
    }
}

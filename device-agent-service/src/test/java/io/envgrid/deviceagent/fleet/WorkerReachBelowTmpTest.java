package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.deviceagent.support.HostDeviceLeases;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.x11.wire.XAuthority;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * An agent whose own paths lie below the host's shared temporary directories, as in a checkout below {@code /tmp}
 * (the clean-clone CI's): its data directory (the host device's {@code files/} in it), the program of
 * {@code desktop.open-command} below {@code /tmp}, the display's cookie ({@code desktop.xauthority}) below
 * {@code /var/tmp}. The attached desktop's exec user and the host device still reach each at its own path — the
 * operator's files read-only, the host device's {@code files/} read-write and where the agent reads it — while their
 * {@code /tmp} and {@code /var/tmp} stay their own: a world-readable file beside those paths in the host's {@code /tmp}
 * and {@code /var/tmp}, and one in the very directory of the agent's data, are not there for them. Before, the private
 * {@code /tmp} hid the open command's program (and any file below {@code /tmp} the agent hands the exec user but its
 * cookie), so {@code /setup/open_file} could not start it.
 */
@QuarkusTest
@WithAllocator
@WithTestResource(WorkerReachBelowTmpTest.PathsBelowTmp.class)
class WorkerReachBelowTmpTest {

    private static final String DESKTOP = RealAllocator.AGENT_ID + ":desktop";
    private static final String RUN = "envgrid-test-reach-" + ProcessHandle.current().pid();
    private static final Path BASE = Path.of("/tmp", RUN);
    private static final Path DATA = BASE.resolve("data");
    private static final Path OPENER = BASE.resolve("opener").resolve("open.sh");
    /** Beside the agent's data directory, in the host's /tmp: handed to no worker. */
    private static final Path HIDDEN = BASE.resolve("hidden.txt");
    private static final Path HIDDEN_IN_DATA = DATA.resolve("hidden.txt");
    private static final Path COOKIE_DIRECTORY = Path.of("/var/tmp", RUN);
    private static final Path COOKIE = COOKIE_DIRECTORY.resolve("Xauthority");
    private static final Path HIDDEN_VAR = Path.of("/var/tmp", RUN + "-hidden.txt");

    /**
     * The paths, made before the agent starts (its workers' first namespaces are made at start) and removed, all of
     * them, once it has stopped (test resources stop after the application, whatever the tests' outcome): the data
     * directory holds the workers' file systems until the agent's stop unmounts them.
     */
    public static class PathsBelowTmp implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            makePaths();
            return Map.of("envgrid.device-agent.data-dir", DATA.toString(),
                    "envgrid.device-agent.desktop.open-command", OPENER.toString(),
                    "envgrid.device-agent.desktop.xauthority", COOKIE.toString());
        }

        @Override
        public void stop() {
            try {
                removeTree(BASE);
                removeTree(COOKIE_DIRECTORY);
                Files.deleteIfExists(HIDDEN_VAR);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void makePaths() {
        byte[] cookie = new byte[16];
        ThreadLocalRandom.current().nextBytes(cookie);
        try {
            Files.createDirectories(OPENER.getParent());
            Files.createDirectories(DATA);
            Files.createDirectories(COOKIE_DIRECTORY);
            for (Path directory : new Path[] {BASE, OPENER.getParent(), DATA, COOKIE_DIRECTORY}) {
                Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Files.writeString(OPENER, "#!/bin/sh\necho \"opened $1\"\n");
            Files.setPosixFilePermissions(OPENER, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.write(COOKIE, XAuthority.anyDisplayEntry(cookie));
            Files.setPosixFilePermissions(COOKIE, PosixFilePermissions.fromString("rw-r--r--"));
            for (Path hidden : new Path[] {HIDDEN, HIDDEN_IN_DATA, HIDDEN_VAR}) {
                Files.writeString(hidden, "the host's\n");
                Files.setPosixFilePermissions(hidden, PosixFilePermissions.fromString("rw-r--r--"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes {@code root} and everything below it, links as links; refused while anything is mounted below it (a
     * worker's file system or binding left by an agent that did not stop: deleting would reach into it).
     */
    private static void removeTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        String prefix = root.toRealPath() + "/";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if ((mountPoint + "/").startsWith(prefix)) {
                throw new IllegalStateException(mountPoint + " is still mounted below " + root + "; not deleting it");
            }
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Test
    void theExecUserReachesTheOpenCommandAndTheCookieReadOnlyAndNothingElseOfTheHostsTmp() {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the exec user's /tmp is its own only where the agent resets "
                + "the attached desktop");
        Conditions.await(() -> "free".equals(FleetLeases.state(DESKTOP)), DESKTOP + " free", Duration.ofSeconds(30));
        Lease a = FleetLeases.allocate("worker-reach-below-tmp");
        try {
            assertEquals(DESKTOP, a.resourceId());
            UnaryOperator<String> shell = command -> FleetLeases.output(a.shell(command));
            assertEquals("opened x\n", shell.apply(OPENER + " x"), "the open command's program below /tmp");
            assertEquals("reached\n", shell.apply("cmp -s " + COOKIE + " \"$XAUTHORITY\" && xdpyinfo >/dev/null 2>&1 "
                    + "&& echo reached || echo unreachable"), "the display, with the cookie below /var/tmp");
            checkHidden(shell);
            for (Path kept : new Path[] {OPENER.getParent().resolve("made"), COOKIE_DIRECTORY.resolve("made")}) {
                String made = shell.apply("touch " + kept + " 2>&1; true");
                assertTrue(made.contains("Read-only file system"), kept + ": " + made);
            }
        } finally {
            FleetLeases.release(a);
        }
    }

    @Test
    void theHostDeviceReachesItsFilesBelowTmpAndNothingElseOfTheHostsTmp() {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the host device has a uid (and a disk) of its own only with "
                + "a root agent");
        HostDeviceLeases.awaitFree();
        String token = HostDeviceLeases.token("worker-reach-below-tmp-host");
        try {
            UnaryOperator<String> shell = command -> HostDeviceLeases.execute(token, command).getString("output");
            Path files = DATA.resolve("devices/linux/" + HostDeviceLeases.HOST + "/files");
            assertEquals(files + "\n", shell.apply("pwd"), "its working directory, files/, below /tmp");
            shell.apply("echo written > " + files.resolve("mine.txt"));
            assertTrue(Files.exists(files.resolve("mine.txt")), "files/ is where the agent reads it");
            checkHidden(shell);
        } finally {
            HostDeviceLeases.release("worker-reach-below-tmp-host");
        }
    }

    /** The world-readable files beside the reached paths in the host's /tmp and /var/tmp are not there for it. */
    private static void checkHidden(UnaryOperator<String> shell) {
        for (Path hidden : new Path[] {HIDDEN, HIDDEN_IN_DATA, HIDDEN_VAR}) {
            assertEquals("absent\n", shell.apply("cat " + hidden + " >/dev/null 2>&1 && echo present || echo absent"),
                    hidden + " of the host's shared temporary directories");
        }
    }
}

package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.deviceagent.support.HostDeviceLeases;
import io.envgrid.deviceagent.support.MarkedProcesses;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Issues 11/13: the two worker uids besides the hosted desktops' — the attached desktop's exec user and the host
 * device — write a file system of their own of {@code desktop.max-disk} / {@code linux-host.max-disk} (8 MiB in the
 * test profile), in a mount namespace of their own where it is their {@code /tmp} (and {@code /var/tmp},
 * {@code /dev/shm}, {@code /run/lock}; the host device's {@code files/} too), as a hosted desktop's worker does. A write
 * past the bound gets {@code ENOSPC} and the host's {@code /tmp} gains nothing; the host's X socket directory is there
 * read-only (the attached desktop's display still answers, no name can be squatted in it); the reset drops it all.
 * Before, their commands wrote the host's {@code /tmp} (and the agent's data directory) without any bound and could
 * make {@code /tmp/.X11-unix/X<n>} for a display number a future X server would take.
 */
@QuarkusTest
@WithAllocator
class WorkerUidDiskTest {

    private static final long DISK = 8L * 1024 * 1024;
    private static final String DESKTOP = RealAllocator.AGENT_ID + ":desktop";
    private static final Path HOST_FILES = Path.of("target/test-data/devices/linux/test-host/files");

    @Test
    void theAttachedDesktopsWorkerWritesABoundedPrivateTmpThatItsResetDrops() throws Exception {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the attached desktop is reset (and its disk mounted) only "
                + "by a root agent");
        Conditions.await(() -> "free".equals(FleetLeases.state(DESKTOP)), DESKTOP + " free", Duration.ofSeconds(30));
        String marker = MarkedProcesses.newMarker("attacheddisk");
        Path fill = Path.of("/tmp", marker + "-fill");
        Path kept = Path.of("/tmp", marker + "-kept");
        Lease a = FleetLeases.allocate("worker-attached-disk-a");
        try {
            assertEquals(DESKTOP, a.resourceId());
            UnaryOperator<String> shell = command -> FleetLeases.output(a.shell(command));
            checkBoundedPrivateTemp(shell, fill, "");
            String socket = freeDisplaySocket();
            String squat = shell.apply("mkdir " + socket + " 2>&1; python3 -c 'import socket, sys; socket.socket("
                    + "socket.AF_UNIX).bind(sys.argv[1])' " + socket + " 2>&1 | tail -1; true");
            assertTrue(squat.contains("Read-only file system"), squat);
            assertFalse(Files.exists(Path.of(socket)), "the worker made " + socket);
            assertEquals("reached\n", shell.apply("xdpyinfo >/dev/null 2>&1 && echo reached || echo unreachable"),
                    "the attached display, over its socket in the read-only directory");
            shell.apply("rm -f " + fill + "; echo A > " + kept);
            assertEquals("A\n", shell.apply("cat " + kept));
            assertFalse(Files.exists(kept), "A's file is in the host's /tmp");
        } finally {
            FleetLeases.release(a);
        }
        Lease b = FleetLeases.allocate("worker-attached-disk-b");
        try {
            assertEquals("absent\n", FleetLeases.output(b.shell("[ -e " + kept + " ] && echo present || echo absent")),
                    "A's /tmp file outlived A's lease");
            FleetLeases.output(b.shell("dd if=/dev/zero of=/tmp/room bs=1M count=6 2>/dev/null && rm /tmp/room"));
        } finally {
            FleetLeases.release(b);
        }
    }

    @Test
    void theHostDevicesCommandsWriteABoundedFilesDirectoryAndPrivateTmpThatItsResetDrops() throws Exception {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the host device has a uid (and a disk) of its own only with "
                + "a root agent");
        HostDeviceLeases.awaitFree();
        String marker = MarkedProcesses.newMarker("hostdisk");
        Path fill = Path.of("/tmp", marker + "-fill");
        Path kept = Path.of("/tmp", marker + "-kept");
        String tokenA = HostDeviceLeases.token("worker-host-disk-a");
        try {
            UnaryOperator<String> shell = command -> HostDeviceLeases.execute(tokenA, command).getString("output");
            checkBoundedPrivateTemp(shell, fill, "");
            // files/, its working directory and HOME, is on the same bounded file system, not the agent's data-dir
            checkBoundedPrivateTemp(shell, Path.of(marker + "-fill"), "files/ ");
            String socket = freeDisplaySocket();
            String squat = shell.apply("mkdir " + socket + " 2>&1; true");
            assertTrue(squat.contains("Read-only file system"), squat);
            assertFalse(Files.exists(Path.of(socket)), "the device's command made " + socket);
            shell.apply("rm -f " + fill + " " + marker + "-fill; echo A > " + kept + "; echo A > a-file.txt");
            assertEquals("A\nA\n", shell.apply("cat " + kept + " a-file.txt"));
            assertFalse(Files.exists(kept), "A's file is in the host's /tmp");
            assertTrue(Files.exists(HOST_FILES.resolve("a-file.txt")), "files/ is where the agent reads it");
        } finally {
            HostDeviceLeases.release("worker-host-disk-a");
        }
        String tokenB = HostDeviceLeases.token("worker-host-disk-b");
        try {
            assertEquals("absent\nabsent\n", HostDeviceLeases.execute(tokenB, "for f in " + kept + " a-file.txt; do "
                    + "[ -e $f ] && echo present || echo absent; done").getString("output"),
                    "A's files in /tmp and files/ outlived A's lease");
            assertFalse(Files.exists(HOST_FILES.resolve("a-file.txt")), "A's file in files/ outlived A's lease");
        } finally {
            HostDeviceLeases.release("worker-host-disk-b");
        }
    }

    /**
     * Filling {@code target} (then each shared temporary directory, for {@code /tmp} targets) stops at the bound with
     * {@code ENOSPC}, on a file system no larger than it, and the host's {@code /tmp} gains no such file.
     */
    private static void checkBoundedPrivateTemp(UnaryOperator<String> shell, Path target, String what) {
        List<String> targets = target.isAbsolute() ? List.of(target.toString(), "/var/tmp/" + target.getFileName(),
                "/dev/shm/" + target.getFileName()) : List.of(target.toString());
        for (String file : targets) {
            String answer = shell.apply("dd if=/dev/zero of=" + file + " bs=1M count=64 2>&1; echo; df -B1 "
                    + "--output=size $(dirname " + file + ") | tail -1; rm -f " + file);
            assertTrue(answer.contains("No space left on device"), what + file + ": " + answer);
            long size = Long.parseLong(answer.strip().lines().reduce((x, y) -> y).orElseThrow().strip());
            assertTrue(size <= DISK, what + file + " is on a file system of " + size + " bytes");
        }
        assertFalse(Files.exists(target.isAbsolute() ? target : Path.of("/tmp", target.toString())),
                "the worker's file landed in the host's /tmp");
    }

    /** The socket path of a display number no X server of this host has. */
    private static String freeDisplaySocket() {
        while (true) {
            Path socket = Path.of("/tmp/.X11-unix/X" + ThreadLocalRandom.current().nextInt(3000, 9000));
            if (!Files.exists(socket)) {
                return socket.toString();
            }
        }
    }
}

package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPUs a desktop's mount namespace is made on again when the kernel refuses to bind its file (a namespace id
 * smaller than the agent's own, from another CPU's batch): read from the kernel's CPU list of this process, and
 * tried in turn ({@link DesktopDisk#runOnSomeCpu}). The namespace's making is played by a stand-in for
 * {@code unshare --mount=<file>} that answers as unshare does on such a kernel — {@code mount /proc/<pid>/ns/mnt on
 * <file> failed: Invalid argument}, exit 1 — unless it runs with the CPU list it is told accepts it; it records the
 * CPU list of every run. Run for real under {@code taskset}, on this machine's CPUs.
 */
class DesktopDiskCpusTest {

    private static final Path TASKSET = Path.of("/usr/bin/taskset");

    @TempDir
    Path work;
    private Path standIn;
    private Path runs;

    @BeforeEach
    void writeStandIn() throws IOException {
        standIn = work.resolve("unshare-stand-in");
        runs = work.resolve("runs");
        // $1: where it records its CPU list; $2: the only CPU list it is not refused on; $3: how it is refused
        Files.writeString(standIn, """
                #!/bin/sh
                cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
                echo "$cpus" >> "$1"
                [ "$cpus" = "$2" ] && exit 0
                echo "unshare: mount /proc/$$/ns/mnt on $1 failed: $3" >&2
                exit 1
                """);
        Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aKernelCpuListGivesEveryCpuOfItsRangesInOrder() {
        assertEquals(List.of(0, 1, 2, 3, 8, 10, 11), DesktopDisk.cpuList("0-3,8,10-11\n"));
        assertEquals(List.of(5), DesktopDisk.cpuList(" 5"));
    }

    @Test
    void thisProcessMayRunOnTheCpusItIsGiven() {
        List<Integer> cpus = DesktopDisk.allowedCpus();
        assertFalse(cpus.isEmpty());
        assertTrue(cpus.size() >= Runtime.getRuntime().availableProcessors(), cpus + " for "
                + Runtime.getRuntime().availableProcessors() + " processors");
    }

    @Test
    void aNamespaceRefusedAsOlderIsMadeAgainPinnedToEachCpuUntilOneAcceptsIt() throws IOException {
        List<Integer> cpus = DesktopDisk.allowedCpus();
        assumeTrue(cpus.size() >= 2 && Files.isExecutable(TASKSET), "needs two CPUs and taskset: " + cpus);
        int accepting = cpus.get(cpus.size() - 1);

        DesktopDisk.runOnSomeCpu(standIn(Integer.toString(accepting), "Invalid argument"));

        List<String> seen = Files.readAllLines(runs);
        assertEquals(cpus.size() + 1, seen.size(), "unpinned, then each CPU up to the accepting one: " + seen);
        assertEquals(cpus.stream().map(String::valueOf).toList(), seen.subList(1, seen.size()), seen.toString());
    }

    @Test
    void aNamespaceRefusedOnEveryCpuFailsNamingTheKernelsAnswerAndTheCpusTried() throws IOException {
        List<Integer> cpus = DesktopDisk.allowedCpus();
        assumeTrue(Files.isExecutable(TASKSET), "needs taskset");

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> DesktopDisk.runOnSomeCpu(standIn("none", "Invalid argument")));

        assertTrue(refused.getMessage().contains("ns/mnt on " + runs + " failed: Invalid argument"), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("refused as older again when pinned to each CPU this agent may run on "
                + "in turn, " + cpus), refused.getMessage());
        List<String> seen = Files.readAllLines(runs);
        assertEquals(cpus.stream().map(String::valueOf).toList(), seen.subList(1, seen.size()), seen.toString());
    }

    @Test
    void anotherFailureIsNotTriedAgain() throws IOException {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> DesktopDisk.runOnSomeCpu(standIn("none", "Operation not permitted")));

        assertTrue(refused.getMessage().endsWith("failed: Operation not permitted"), refused.getMessage());
        assertEquals(1, Files.readAllLines(runs).size());
    }

    /**
     * A process restricted to fewer CPUs than the machine has (a pod's cpuset, {@code taskset}) tries only those: this
     * JVM's main thread (whose list {@code /proc/self/status} shows) and the test's own thread (whose children inherit
     * its list) are pinned to the last CPU for the test, then given back their own lists.
     */
    @Test
    void aProcessRestrictedToSomeCpusTriesOnlyThose() throws IOException {
        List<Integer> cpus = DesktopDisk.allowedCpus();
        assumeTrue(cpus.size() >= 2 && Files.isExecutable(TASKSET), "needs two CPUs and taskset: " + cpus);
        int last = cpus.get(cpus.size() - 1);
        Set<String> threads = new LinkedHashSet<>(List.of(Long.toString(ProcessHandle.current().pid()),
                Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString()));
        List<String[]> restore = new ArrayList<>();
        try {
            for (String thread : threads) {
                String own = cpuListOf(Path.of("/proc/self/task", thread, "status"));
                restore.add(new String[] {thread, own});
                taskset("--pid", "--cpu-list", Integer.toString(last), thread);
            }
            assertEquals(List.of(last), DesktopDisk.allowedCpus());

            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> DesktopDisk.runOnSomeCpu(standIn("none", "Invalid argument")));

            assertEquals(List.of(Integer.toString(last), Integer.toString(last)), Files.readAllLines(runs),
                    "unpinned, then the one CPU allowed");
            assertTrue(refused.getMessage().endsWith(", " + List.of(last)), refused.getMessage());
        } finally {
            for (String[] thread : restore) {
                taskset("--pid", "--cpu-list", thread[1], thread[0]);
            }
        }
        assertEquals(cpus, DesktopDisk.allowedCpus(), "given back");
    }

    private List<String> standIn(String accepted, String refusal) {
        return List.of(standIn.toString(), runs.toString(), accepted, refusal);
    }

    private static String cpuListOf(Path status) throws IOException {
        return Files.readAllLines(status).stream().filter(l -> l.startsWith("Cpus_allowed_list:"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElseThrow();
    }

    private static void taskset(String... arguments) {
        List<String> command = new ArrayList<>(List.of(TASKSET.toString()));
        command.addAll(List.of(arguments));
        ProcessOutcome outcome = HostProcesses.run(command, null, Map.of(), Duration.ofSeconds(10));
        assertTrue(outcome.succeeded(), command + ": " + outcome.stderr());
    }
}

package io.envgrid.deviceagent.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.Conditions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The desktops' control groups on this host's kernel (cgroup v1 here: memory and pids hierarchies; as root): a process
 * started with a group's join prefix is in it, one that allocates past the group's memory limit is killed by the
 * kernel while a process in the other group keeps running, a fork loop stops at {@code pids.max}, the group's kill
 * leaves it empty, and removing the groups leaves no directory behind.
 */
class DesktopCgroupsTest {

    private static final long LIMIT = 64L * 1024 * 1024;
    private static final int MAX_PIDS = 40;
    /** Allocates 256 MiB, touching every page, then reports it lived. */
    private static final String HOG = "b = bytearray(256 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\n"
            + "print('survived')";

    private DesktopCgroups cgroups;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void detect() {
        // a parent of the test's own: named by the JVM's pid, it would be the parent of the @QuarkusTest agents running
        // in this JVM, whose desktop groups create() takes over (killing what is in them) and which remove() cannot delete;
        // the number only names the directory on cgroup v1 (on v2 it is the process moved, and none has it: skipped)
        DesktopCgroups.Detection found = DesktopCgroups.detect(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"),
                Long.MAX_VALUE - ProcessHandle.current().pid());
        assumeTrue(found instanceof DesktopCgroups.Detection.Usable, () -> "no usable memory controller: " + found);
        cgroups = ((DesktopCgroups.Detection.Usable) found).cgroups();
    }

    @AfterEach
    void removeGroups() throws IOException, InterruptedException {
        for (Process process : started) {
            process.destroyForcibly().waitFor(); // the python loop's children are the groups' kill's
        }
        if (cgroups != null) {
            for (Path parent : cgroups.parents()) {
                if (!Files.exists(parent)) {
                    continue;
                }
                try (var children = Files.list(parent)) {
                    for (Path child : children.filter(Files::isDirectory).toList()) {
                        DesktopCgroup left = new DesktopCgroup(List.of(child), false, 0);
                        left.killAll();
                        Conditions.await(() -> left.pids().isEmpty(), child + " empty");
                        Files.deleteIfExists(child);
                    }
                }
            }
            cgroups.remove();
        }
    }

    @Test
    void aProcessPastItsGroupsMemoryIsKilledWhileTheOtherGroupRunsOn() throws Exception {
        DesktopCgroup hogs = cgroups.create(0, LIMIT, MAX_PIDS);
        DesktopCgroup neighbour = cgroups.create(1, LIMIT, MAX_PIDS);
        Process quiet = start(neighbour, List.of("sleep", "300"));
        Conditions.await(() -> neighbour.pids().contains(quiet.pid()), "the neighbour's process in its group");
        assertEquals(LIMIT, hogs.memoryLimitBytes());

        Process hog = start(hogs, List.of("python3", "-c", HOG));
        assertTrue(hog.waitFor(60, TimeUnit.SECONDS), "the hog ended");
        String out = new String(hog.getInputStream().readAllBytes());
        System.out.printf("cgroups: the hog exited %d (%s)%n", hog.exitValue(), out.strip());
        assertEquals(128 + 9, hog.exitValue(), "killed by SIGKILL (the OOM killer), output: " + out);
        assertFalse(out.contains("survived"), out);
        assertTrue(quiet.isAlive(), "the process in the other desktop's group was killed too");
        // the limit holds without the hog too: the neighbour can still allocate within it
        Process small = start(neighbour, List.of("python3", "-c", "b = bytearray(16 * 1024 * 1024); print('ok')"));
        assertTrue(small.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, small.exitValue());
    }

    @Test
    void aForkLoopStopsAtPidsMaxAndKillAllEmptiesTheGroup() throws Exception {
        DesktopCgroup group = cgroups.create(2, LIMIT, MAX_PIDS);
        // 200 sleepers asked for, each fork past the limit refused (EAGAIN) and counted as such
        Path report = Files.createTempFile("envgrid-fork-loop", ".txt");
        Process loop = start(group, List.of("python3", "-c", """
                import os, sys, time
                forked = 0
                for i in range(200):
                    try:
                        if os.fork() == 0:
                            time.sleep(300)
                            os._exit(0)
                        forked += 1
                    except OSError:
                        pass
                open(sys.argv[1], 'w').write(str(forked))
                time.sleep(300)
                """, report.toString()));
        Conditions.await(() -> size(report) > 0, "the fork loop done");
        System.out.printf("cgroups: the loop forked %s times%n", Files.readString(report));
        int inGroup = group.pids().size();
        System.out.printf("cgroups: %d processes in the group (pids.max %d)%n", inGroup, MAX_PIDS);
        assertTrue(inGroup <= MAX_PIDS && inGroup >= MAX_PIDS - 2, "processes in the group: " + inGroup);

        group.killAll();
        Conditions.await(() -> group.pids().isEmpty(), "the group empty after its kill");
        assertFalse(loop.isAlive());
    }

    @Test
    void removingTheGroupsLeavesNoDirectory() throws Exception {
        DesktopCgroup group = cgroups.create(3, LIMIT, MAX_PIDS);
        Process sleeper = start(group, List.of("sleep", "300"));
        Conditions.await(() -> group.pids().contains(sleeper.pid()), "the process in its group");
        group.killAll();
        Conditions.await(() -> group.pids().isEmpty(), "the group empty");
        group.remove();
        cgroups.remove();
        for (Path dir : group.directories()) {
            assertFalse(Files.exists(dir), dir + " still there");
        }
        for (Path parent : cgroups.parents()) {
            assertFalse(Files.exists(parent), parent + " still there");
        }
    }

    /**
     * An agent SIGKILLed leaves its groups and what runs in them; the next agent's start (its detection) kills those
     * processes and removes the groups. The former agent is played by a detection named by the pid of a process that
     * has ended, leaving a desktop group with a sleeper in it.
     */
    @Test
    void aFormerAgentsLeftoverGroupsAndTheirProcessesAreGoneWhenTheNextAgentStarts() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        DesktopCgroups former = ((DesktopCgroups.Detection.Usable) DesktopCgroups.detect(Path.of("/proc/self/mountinfo"),
                Path.of("/proc/self/cgroup"), ended.pid())).cgroups();
        DesktopCgroup left = former.create(0, LIMIT, MAX_PIDS);
        Process sleeper = start(left, List.of("sleep", "300"));
        Conditions.await(() -> left.pids().contains(sleeper.pid()), "the leftover process in its group");

        // the next agent starts: its detection (the test's own parent's name, as in detect() above)
        DesktopCgroups.Detection next = DesktopCgroups.detect(Path.of("/proc/self/mountinfo"),
                Path.of("/proc/self/cgroup"), Long.MAX_VALUE - ProcessHandle.current().pid());
        assertTrue(next instanceof DesktopCgroups.Detection.Usable, next.toString());
        assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "the leftover process still runs");
        for (Path dir : left.directories()) {
            assertFalse(Files.exists(dir), dir + " still there");
        }
        for (Path parent : former.parents()) {
            assertFalse(Files.exists(parent), parent + " still there");
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private Process start(DesktopCgroup group, List<String> command) throws IOException {
        List<String> words = new ArrayList<>(group.joinPrefix());
        words.addAll(command);
        Process process = new ProcessBuilder(words).redirectErrorStream(true).start();
        started.add(process);
        return process;
    }
}

package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each hosted desktop's processes live in a control group of their own with a memory and a pids limit (small here):
 * a worker command allocating past its desktop's memory is killed by the kernel while the other desktop's worker, its
 * running program and the agent go on; a fork loop stops at {@code pids.max}; after the lease the reset leaves nothing
 * of the worker in the group (only the new X server and window manager).
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
@TestProfile(DesktopMemoryTest.SmallMemory.class)
class DesktopMemoryTest {

    private static final long LIMIT = 160L * 1024 * 1024;
    private static final int MAX_PROCESSES = 120;
    private static final String MARKER = "envgrid-memory-test";
    /** Takes 768 MiB, touching every page, and says so if it lived. */
    private static final String HOG = "b = bytearray(768 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\n"
            + "print('survived')";

    /** A memory limit small enough to reach at little cost, above what Xvfb and openbox take at 800×600. */
    public static class SmallMemory implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.device-agent.desktops.limits.max-memory", "160m",
                    "envgrid.device-agent.desktops.limits.max-processes", Integer.toString(MAX_PROCESSES));
        }
    }

    @Test
    void aWorkerPastItsMemoryIsKilledWhileTheOtherDesktopAndTheAgentGoOn() {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the agent makes the desktops' control groups");
        FleetLeases.awaitAllFree();
        Lease hog = FleetLeases.allocate("worker-hungry");
        Lease neighbour = FleetLeases.allocate("worker-modest");
        try {
            Path hogGroup = memoryGroup(hog);
            Path neighbourGroup = memoryGroup(neighbour);
            assertNotEquals(hogGroup, neighbourGroup);
            assertEquals(Long.toString(LIMIT), read(hogGroup.resolve("memory.limit_in_bytes")));
            neighbour.call().contentType(ContentType.JSON)
                    .body(Map.of("command", List.of("python3", "-c", "import time; time.sleep(300)", MARKER)))
                    .post("/setup/launch").then().statusCode(200);
            Conditions.await(() -> pidsIn(neighbourGroup, MARKER).size() == 1, "the neighbour's program running");

            var answer = hog.call().contentType(ContentType.JSON)
                    .body(Map.of("command", List.of("python3", "-c", HOG))).post("/execute");
            System.out.printf("desktop memory: the hog's answer %d %s%n", answer.statusCode(), answer.asString());
            answer.then().statusCode(200);
            assertNotEquals(0, (int) answer.path("returncode"), answer.asString());
            assertFalse(answer.asString().contains("survived"), answer.asString());
            assertTrue(oomKills(hogGroup) >= 1, "the kernel's OOM killer acted in the hog's group: "
                    + read(hogGroup.resolve("memory.oom_control")));
            assertEquals(0, oomKills(neighbourGroup), "no OOM kill in the neighbour's group");

            assertEquals(1, pidsIn(neighbourGroup, MARKER).size(), "the neighbour's program was killed");
            assertEquals("ok", neighbour.shell("echo ok").then().statusCode(200).extract().<String>path("output").strip());
            assertEquals("ok", hog.shell("echo ok").then().statusCode(200).extract().<String>path("output").strip(),
                    "the hog's desktop answers its holder after the kill");
            AgentCalls.asService().get("/health").then().statusCode(200);
            String metrics = AgentCalls.asService().get("/metrics").asString();
            assertTrue(metrics.lines().anyMatch(line -> line.startsWith("envgrid_desktop_memory_limit_bytes{")
                    && line.contains(hog.resourceId()) && line.endsWith(" " + (double) LIMIT)), metrics);
        } finally {
            FleetLeases.release(hog);
            FleetLeases.release(neighbour);
        }
    }

    @Test
    void aForkLoopStopsAtItsGroupsPidsLimitAndTheResetEmptiesTheGroup() {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the agent makes the desktops' control groups");
        FleetLeases.awaitAllFree();
        Lease worker = FleetLeases.allocate("worker-forking");
        Path pids;
        try {
            pids = pidsGroup(worker);
            assertEquals(Integer.toString(MAX_PROCESSES), read(pids.resolve("pids.max")));
            worker.call().contentType(ContentType.JSON).body(Map.of("command", List.of("python3", "-c", """
                    import os, time
                    for i in range(400):
                        try:
                            if os.fork() == 0:
                                time.sleep(300)
                                os._exit(0)
                        except OSError:
                            time.sleep(0.01)
                    time.sleep(300)
                    """, MARKER))).post("/setup/launch").then().statusCode(200);
            // the loop presses on the limit: forks refused by the group's pids.max are counted in pids.events
            Conditions.await(() -> Long.parseLong(read(pids.resolve("pids.events")).replaceAll("\\D", "")) > 0,
                    "a fork refused by pids.max");
            for (int i = 0; i < 20; i++) {
                long current = Long.parseLong(read(pids.resolve("pids.current")));
                assertTrue(current <= MAX_PROCESSES, "the group ran " + current + " tasks");
            }
            assertTrue(pidsIn(pids, MARKER).size() > MAX_PROCESSES / 2, "the fork loop ran");
        } finally {
            FleetLeases.release(worker);
        }
        Conditions.await(() -> "free".equals(FleetLeases.state(worker.resourceId())), "reset and free",
                Duration.ofSeconds(90));
        List<String> left = new ArrayList<>();
        for (long pid : pidsIn(pids, "")) {
            String line = commandLine(pid);
            if (!line.startsWith("Xvfb ") && !line.startsWith("openbox")) {
                left.add(pid + " " + line);
            }
        }
        assertEquals(List.of(), left, "processes in the desktop's group after the reset besides its new X session");
        assertEquals(List.of(), pidsIn(pids, MARKER));
    }

    /** The memory group a command of the worker's desktop runs in, as its {@code /proc/self/cgroup} names it. */
    private static Path memoryGroup(Lease lease) {
        return group(lease, "memory", Path.of("/sys/fs/cgroup/memory"));
    }

    private static Path pidsGroup(Lease lease) {
        return group(lease, "pids", Path.of("/sys/fs/cgroup/pids"));
    }

    private static Path group(Lease lease, String controller, Path mount) {
        String own = lease.shell("cat /proc/self/cgroup").then().statusCode(200).extract().path("output");
        Optional<String> path = own.lines().map(line -> line.split(":", 3))
                .filter(parts -> parts.length == 3 && List.of(parts[1].split(",")).contains(controller))
                .map(parts -> parts[2]).findFirst();
        assumeTrue(path.isPresent(), "no cgroup v1 " + controller + " hierarchy: " + own);
        String suffix = "envgrid-desktops-" + ProcessHandle.current().pid() + "/desktop-"
                + lease.resourceId().substring(lease.resourceId().lastIndexOf('-') + 1);
        assertTrue(path.get().endsWith(suffix), "the worker's command in " + path.get() + ", not in its desktop's group");
        return mount.resolve(path.get().substring(1));
    }

    private static long oomKills(Path memoryGroup) {
        return read(memoryGroup.resolve("memory.oom_control")).lines().filter(line -> line.startsWith("oom_kill "))
                .mapToLong(line -> Long.parseLong(line.substring("oom_kill ".length()).strip())).sum();
    }

    private static List<Long> pidsIn(Path group, String text) {
        return read(group.resolve("cgroup.procs")).lines().filter(line -> !line.isBlank()).map(Long::parseLong)
                .filter(pid -> commandLine(pid).contains(text)).toList();
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}

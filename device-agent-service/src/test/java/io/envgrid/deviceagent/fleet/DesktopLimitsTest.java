package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.AgentPrivileges;
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
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A worker on one hosted desktop that forks without end, or opens ever more files, holds no more of the host than its
 * limits ({@code envgrid.device-agent.desktops.limits.*}, small here so the test stays light): the uid's processes stay
 * at the limit, the other desktop's worker and the agent keep answering, and the reset after the lease leaves nothing
 * of it. Every process the agent starts as a desktop's worker carries the limits, the X session's included.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
@TestProfile(DesktopLimitsTest.SmallLimits.class)
class DesktopLimitsTest {

    private static final int MAX_PROCESSES = 200;
    /**
     * What the uid can be seen to run: its limit, and one more started by the agent. A process switching to the uid
     * (setuid(2)) is checked against the count before it joins, so a command started while the uid is exactly at its
     * limit runs as one more; the next switch finds the uid over it and its exec fails (EAGAIN of execve(2)). No process
     * of the worker can fork past the limit.
     */
    private static final int ADMITTED = MAX_PROCESSES + 1;
    private static final int MAX_OPEN_FILES = 1024;
    private static final String MARKER = "envgrid-limits-test";
    /**
     * Forks as fast as it can for 60 s, each child asleep, retrying when refused: at most 600 processes, so even an
     * agent without the limit (the test's run before the fix) does not take the machine down before the test stops it.
     */
    private static final String FORK_LOOP = """
            import os, time
            marker = "%s"
            forked, end = 0, time.time() + 60
            while forked < 600 and time.time() < end:
                try:
                    if os.fork() == 0:
                        time.sleep(120)
                        os._exit(0)
                    forked += 1
                except OSError:
                    time.sleep(0.005)
            time.sleep(120)
            """.formatted(MARKER);

    private static final ExecutorService CALLS = Executors.newCachedThreadPool();

    /** Limits small enough that reaching them costs the test machine little. */
    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.device-agent.desktops.limits.max-processes", Integer.toString(MAX_PROCESSES),
                    "envgrid.device-agent.desktops.limits.max-open-files", Integer.toString(MAX_OPEN_FILES));
        }
    }

    @AfterAll
    static void stopCalls() {
        CALLS.shutdownNow();
    }

    @Test
    void aForkBombStaysWithinItsDesktopsLimitAndTheOtherDesktopAndTheAgentKeepAnswering() throws Exception {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: each desktop's worker runs as a uid of its own");
        FleetLeases.awaitAllFree();
        Lease bomber = FleetLeases.allocate("worker-forking");
        Lease neighbour = FleetLeases.allocate("worker-next-door");
        int uid = Integer.parseInt(output(bomber.shell("id -u")).strip());
        int peak = 0;
        try {
            CALLS.submit(() -> bomber.call().contentType(ContentType.JSON)
                    .body(Map.of("command", List.of("python3", "-c", FORK_LOOP))).post("/execute"));
            // watched until the loop has pressed on the limit for 5 s (without it, 600 processes come within that time)
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            long atLimitSince = 0;
            boolean neighbourChecked = false;
            while (System.nanoTime() < until && peak <= ADMITTED
                    && !(neighbourChecked && System.nanoTime() - atLimitSince > TimeUnit.SECONDS.toNanos(5))) {
                peak = Math.max(peak, processesOf(uid, ""));
                if (peak >= MAX_PROCESSES - 20 && atLimitSince == 0) {
                    atLimitSince = System.nanoTime();
                }
                if (peak >= MAX_PROCESSES - 20 && !neighbourChecked) {
                    neighbourAndAgentAnswer(neighbour);
                    neighbourChecked = true;
                }
                Thread.sleep(20);
            }
            if (peak > ADMITTED) {
                killAll(uid); // the limit did not hold: stop the loop before it costs the machine more
            }
            System.out.printf("desktop limits: uid %d peaked at %d processes (limit %d)%n", uid, peak, MAX_PROCESSES);
            assertTrue(peak <= ADMITTED, "uid " + uid + " ran " + peak + " processes, over its limit "
                    + MAX_PROCESSES);
            assertTrue(peak >= MAX_PROCESSES - 20, "the fork loop never reached the limit: " + peak);
            assertTrue(neighbourChecked, "the neighbour was never asked while the loop ran at the limit");
            // the worker at its limit gets an answer, not a 5xx: its command could not start, a result like any other
            io.restassured.response.Response atLimit = bomber.shell("echo at-the-limit");
            System.out.printf("desktop limits: /execute at the limit: %d %s%n", atLimit.statusCode(), atLimit.asString());
            assertTrue(atLimit.statusCode() < 500, "/execute at the limit: " + atLimit.asString());
            // now that the limit is seen to hold, the classic fork bomb in the loop's place (the loop's processes are
            // ended first, by root, else the bomb could not even start)
            for (long pid : pidsOf(uid, "import os, time")) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            Conditions.await(() -> processesOf(uid, MARKER) == 0, "the fork loop ended");
            CALLS.submit(() -> bomber.shell("exec bash -c ': " + MARKER + "; :(){ :|:& };:'"));
            // awaited, not read once at the end: a bomb held at the limit can die out on its own, as bash gives up a
            // fork refused for long enough and each of its processes then exits
            Conditions.await(() -> processesOf(uid, MARKER) > MAX_PROCESSES / 2, "the fork bomb running",
                    Duration.ofSeconds(30));
            int bombPeak = 0;
            for (int i = 1; i <= 25; i++) {
                Thread.sleep(200);
                bombPeak = Math.max(bombPeak, processesOf(uid, ""));
                assertTrue(bombPeak <= ADMITTED, "the fork bomb took uid " + uid + " to " + bombPeak + " processes");
                if (i % 5 == 0) {
                    neighbourAndAgentAnswer(neighbour);
                }
            }
            System.out.printf("desktop limits: the fork bomb peaked at %d processes%n", bombPeak);
        } finally {
            FleetLeases.release(bomber);
            FleetLeases.release(neighbour);
        }
        // the reset still ends every process of the uid, at the limit or not: only its fresh window manager is left
        Conditions.await(() -> "free".equals(FleetLeases.state(bomber.resourceId())), bomber.resourceId() + " reset and free",
                Duration.ofSeconds(90));
        assertEquals(0, processesOf(uid, MARKER), "processes of the fork loop or bomb survived the reset");
        List<String> left = commandLines(uid).stream().filter(line -> !line.contains("openbox")).toList();
        assertEquals(List.of(), left, "processes of uid " + uid + " besides its new window manager after the reset");
    }

    @Test
    void everyProcessOfADesktopsWorkerRunsUnderItsLimits() {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the limits are set when the agent switches to the desktop's uid");
        FleetLeases.awaitAllFree();
        Lease worker = FleetLeases.allocate("worker-limited");
        try {
            int uid = Integer.parseInt(output(worker.shell("id -u")).strip());
            assertLimited("/execute", output(worker.shell("cat /proc/self/limits")));
            assertLimited("/run_bash_script", worker.call().contentType(ContentType.JSON)
                    .body(Map.of("script", "cat /proc/self/limits")).post("/run_bash_script").then().statusCode(200)
                    .extract().path("output"));
            assertLimited("/run_python", worker.call().contentType(ContentType.JSON)
                    .body(Map.of("code", "print(open('/proc/self/limits').read())")).post("/run_python").then()
                    .statusCode(200).extract().path("output"));
            // a launched program and the X session's window manager, read from /proc as root
            worker.call().contentType(ContentType.JSON).body(Map.of("command", List.of("python3", "-c", "import time; time.sleep(300)", MARKER)))
                    .post("/setup/launch").then().statusCode(200);
            Conditions.await(() -> processesOf(uid, MARKER) == 1, "the launched program running");
            assertLimited("/setup/launch", limitsOf(uid, MARKER));
            assertLimited("the window manager", limitsOf(uid, "openbox"));
            // and no more files than its limit: the 1025th open fails for the worker
            String opened = output(worker.call().contentType(ContentType.JSON).body(Map.of("command", List.of("python3",
                    "-c", "import os\nfds = []\ntry:\n    while True: fds.append(os.open('/dev/null', os.O_RDONLY))\n"
                            + "except OSError as e: print(len(fds), e.errno)"))).post("/execute"));
            String[] words = opened.strip().split(" ");
            assertTrue(Integer.parseInt(words[0]) < MAX_OPEN_FILES, "opened " + opened);
            assertEquals("24", words[1], "EMFILE expected: " + opened);
        } finally {
            FleetLeases.release(worker);
        }
    }

    private static void neighbourAndAgentAnswer(Lease neighbour) {
        long start = System.nanoTime();
        assertEquals("ok", output(neighbour.shell("echo ok")).strip(), "the other desktop's worker runs commands");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 5000, "the other desktop's /execute took " + millis + " ms");
        AgentCalls.asService().get("/health").then().statusCode(200);
    }

    private static void assertLimited(String what, String limits) {
        assertEquals(List.of(Long.toString(MAX_PROCESSES), Long.toString(MAX_PROCESSES)), limit(limits, "Max processes"),
                what + ": " + limits);
        assertEquals(List.of(Long.toString(MAX_OPEN_FILES), Long.toString(MAX_OPEN_FILES)),
                limit(limits, "Max open files"), what + ": " + limits);
        assertEquals(List.of("0", "0"), limit(limits, "Max core file size"), what + ": " + limits);
    }

    /** The soft and hard value of one line of {@code /proc/<pid>/limits}. */
    private static List<String> limit(String limits, String name) {
        Matcher line = Pattern.compile("(?m)^" + name + "\\s+(\\S+)\\s+(\\S+)").matcher(limits);
        return line.find() ? List.of(line.group(1), line.group(2)) : List.of();
    }

    private static String limitsOf(int uid, String text) {
        for (long pid : pidsOf(uid, text)) {
            try {
                return Files.readString(Path.of("/proc", Long.toString(pid), "limits"));
            } catch (IOException gone) {
                // try the next
            }
        }
        throw new AssertionError("no process of uid " + uid + " running " + text);
    }

    private static String output(io.restassured.response.Response answer) {
        return answer.then().statusCode(200).body("returncode", org.hamcrest.Matchers.equalTo(0)).extract()
                .path("output");
    }

    /** Ends every process of {@code uid} (when the limit did not hold), as the reset does. */
    private static void killAll(int uid) throws IOException, InterruptedException {
        for (int round = 0; round < 20 && processesOf(uid, "") > 0; round++) {
            new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--", "/bin/sh", "-c",
                    "kill -KILL -1").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(5, TimeUnit.SECONDS);
            Thread.sleep(100);
        }
    }

    /** Live (not zombie) processes of {@code uid} whose command line contains {@code text}. */
    private static int processesOf(int uid, String text) {
        return pidsOf(uid, text).size();
    }

    private static List<String> commandLines(int uid) {
        List<String> lines = new ArrayList<>();
        for (long pid : pidsOf(uid, "")) {
            lines.add(commandLine(pid));
        }
        return lines;
    }

    private static List<Long> pidsOf(int uid, String text) {
        try (Stream<Path> all = Files.list(Path.of("/proc"))) {
            return all.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    boolean zombie = stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
                    return !zombie && ((Number) Files.getAttribute(p, "unix:uid")).intValue() == uid
                            && commandLine(Long.parseLong(p.getFileName().toString())).contains(text);
                } catch (IOException | RuntimeException gone) {
                    return false;
                }
            }).map(p -> Long.parseLong(p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }
}

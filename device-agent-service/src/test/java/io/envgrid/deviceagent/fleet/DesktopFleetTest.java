package io.envgrid.deviceagent.fleet;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.osworld.DesktopRouting;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetDesktops;
import io.envgrid.deviceagent.support.OsWorldCalls;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One agent hosting two desktops ({@link FleetDesktops}) on a real allocator: workers lease them through the
 * allocator and act on them, as the vm-controller would, at the {@code ip:port} of their grant with their lease token.
 * Two workers on the two desktops see neither each other's windows nor files nor display; a released desktop is reset
 * before anyone gets it again and the next worker finds the template; a desktop whose reset fails goes down.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DesktopFleetTest {

    private static final String TYPE = "vm_pyautogui";
    private static final String LEASE_HEADER = "X-Envgrid-Lease-Token";

    private static String resourceId(int index) {
        return RealAllocator.AGENT_ID + ":desktop-" + index;
    }

    @Test
    @Order(1)
    void everyDesktopIsRegisteredWithItsOwnPortAndNeedsAReset() {
        for (int i = 0; i < FleetDesktops.COUNT; i++) {
            int index = i;
            Conditions.await(() -> "free".equals(state(index)), resourceId(i) + " free in the allocator",
                    Duration.ofSeconds(60));
            JsonPath resource = allocator().get(RealAllocator.resourcePath(resourceId(i))).then().statusCode(200)
                    .extract().jsonPath();
            assertEquals(TYPE, resource.getString("type"));
            assertEquals(FleetDesktops.port(i), resource.getInt("endpoint.port"));
            assertTrue(resource.getBoolean("reset"), "registered with reset: true");
            // its own display at its own geometry, through its own port
            given().port(FleetDesktops.port(i)).header("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN)
                    .post("/screen_size").then().statusCode(200).body("width", org.hamcrest.Matchers.equalTo(800))
                    .body("height", org.hamcrest.Matchers.equalTo(600));
        }
        // on the agent's own port a desktop route must name its desktop
        AgentCalls.asService().get("/screenshot").then().statusCode(404).body("error.code",
                org.hamcrest.Matchers.equalTo("DESKTOP_NOT_FOUND"));
        AgentCalls.asService().header(DesktopRouting.DESKTOP_HEADER, "7").get("/platform").then().statusCode(404);
    }

    @Test
    @Order(2)
    void twoWorkersOnTwoDesktopsNeverSeeEachOthersWindowsFilesOrDisplay() throws IOException {
        awaitAllFree();
        Lease a = allocate("worker-a");
        Lease b = allocate("worker-b");
        assertNotEquals(a.resourceId(), b.resourceId());
        try {
            byte[] bBefore = b.screenshot(b);
            byte[] aBlank = a.screenshot(a);
            // A opens a red window and writes a file in its home
            a.call().contentType(ContentType.JSON).body(Map.of("command", List.of("xterm", "-bg", "red", "-geometry",
                    "60x20+10+10"))).post("/setup/launch").then().statusCode(200);
            Conditions.await(() -> !java.util.Arrays.equals(a.screenshot(a), aBlank), "A's window drawn");
            a.shell("echo secret-of-a > ~/secret.txt").then().statusCode(200).body("returncode",
                    org.hamcrest.Matchers.equalTo(0));
            String aHome = a.shell("printf %s \"$HOME\"").then().extract().path("output");
            assertEquals(FleetDesktops.HOMES.resolve("desktop-" + a.index()).toString(), aHome);
            // B's screen never shows it
            assertArrayEquals(bBefore, b.screenshot(b), "B's screen is unchanged by A's window");
            // B cannot read A's files, list A's home, reach A's display or cookie, or signal A's processes
            b.call().multiPart("file_path", aHome + "/secret.txt").post("/file").then().statusCode(404);
            b.call().contentType(ContentType.JSON).body(Map.of("path", aHome)).post("/list_directory").then()
                    .statusCode(400);
            String aDisplay = a.shell("printf %s \"$DISPLAY\"").then().extract().path("output");
            b.shell("DISPLAY=" + aDisplay + " xdpyinfo").then().statusCode(200)
                    .body("returncode", org.hamcrest.Matchers.not(0));
            b.shell("XAUTHORITY=" + FleetDesktops.HOMES.resolve(".run/desktop-" + a.index() + "/Xauthority")
                    + " DISPLAY=" + aDisplay + " xdpyinfo").then().statusCode(200)
                    .body("returncode", org.hamcrest.Matchers.not(0));
            String aXterm = a.shell("pgrep -u \"$(id -u)\" xterm").then().extract().path("output");
            b.shell("kill -0 " + aXterm.strip().split("\\s+")[0]).then().statusCode(200)
                    .body("returncode", org.hamcrest.Matchers.not(0));
            // ~ is each desktop's own home: B's ~/secret.txt is not A's
            b.call().multiPart("file_path", "~/secret.txt").post("/file").then().statusCode(404);
            assertEquals("from the template\n", b.call().multiPart("file_path", "~/template.txt").post("/file").then()
                    .statusCode(200).extract().asString());
            // A's lease opens only A's desktop: not on B's port, not by naming B on the agent's port
            given().port(b.port()).header(LEASE_HEADER, a.token()).get("/platform").then().statusCode(409)
                    .body("error.code", org.hamcrest.Matchers.equalTo("LEASE_NOT_LIVE"));
            given().header(LEASE_HEADER, a.token()).header(DesktopRouting.DESKTOP_HEADER, Integer.toString(b.index()))
                    .get("/screenshot").then().statusCode(409);
            // a header sent to A's port is replaced by A's own: it cannot steer to B
            given().port(a.port()).header(LEASE_HEADER, a.token())
                    .header(DesktopRouting.DESKTOP_HEADER, Integer.toString(b.index())).post("/screen_size").then()
                    .statusCode(200);
        } finally {
            release(a);
            release(b);
        }
    }

    @Test
    @Order(3)
    void afterAReleaseTheNextWorkerFindsTheTemplateAndNoLeaseIsGrantedWhileResetting() {
        awaitAllFree();
        Lease held = allocate("worker-holding-the-other");
        Lease first = allocate("worker-c");
        try {
            byte[] template = first.screenshot(first);
            first.call().contentType(ContentType.JSON).body(Map.of("command", List.of("xterm", "-bg", "blue")))
                    .post("/setup/launch").then().statusCode(200);
            Conditions.await(() -> !java.util.Arrays.equals(first.screenshot(first), template), "C's window drawn");
            first.shell("echo left > ~/left-behind.txt; rm ~/template.txt; echo tmp > /tmp/c-was-here-"
                    + first.index()).then().body("returncode", org.hamcrest.Matchers.equalTo(0));
            first.call().post("/start_recording").then().statusCode(200);

            release(first);
            // resetting: not granted to anyone, however asked
            assertEquals("resetting", state(first.index()));
            allocator().contentType(ContentType.JSON).body(Map.of("worker_id", "worker-impatient", "resource_types",
                    List.of(TYPE), "timeout", 60)).post("/allocate").then().statusCode(409)
                    .body("error.code", org.hamcrest.Matchers.equalTo("INSUFFICIENT_RESOURCES"));
            // the old holder's token is dead on the very next call
            first.call().get("/platform").then().statusCode(org.hamcrest.Matchers.anyOf(
                    org.hamcrest.Matchers.is(409), org.hamcrest.Matchers.is(503))); // 503 once the reset has begun

            // a waiting worker gets it once it is clean
            Lease next = allocate("worker-d");
            try {
                assertEquals(first.resourceId(), next.resourceId());
                assertArrayEquals(template, next.screenshot(next), "the next worker's first screenshot is the template's");
                next.call().multiPart("file_path", "~/left-behind.txt").post("/file").then().statusCode(404);
                next.call().multiPart("file_path", "~/template.txt").post("/file").then().statusCode(200);
                assertFalse(Files.exists(Path.of("/tmp/c-was-here-" + first.index())), "the worker's /tmp file is gone");
                next.call().post("/end_recording").then().statusCode(400); // no recording carried over
                next.shell("pgrep -u \"$(id -u)\" xterm").then().body("returncode", org.hamcrest.Matchers.equalTo(1));
            } finally {
                release(next);
            }
        } finally {
            release(held);
        }
    }

    @Test
    @Order(4)
    void aResetWhoseMessageWasLostIsFoundByReconciliation() {
        awaitAllFree();
        Lease lease = allocate("worker-f");
        try {
            // every subscriber dropped (the agent's, and the allocator's own, which resubscribes): the reset message
            // of this release reaches nobody, as the agent subscribes again only after 4 s (FleetDesktops)
            String killed = RealAllocator.redis("CLIENT", "KILL", "TYPE", "pubsub");
            assertTrue(killed.matches(":[1-9][0-9]*"), "the subscribers' connections were closed: " + killed);
        } finally {
            release(lease);
        }
        Conditions.await(() -> "free".equals(state(lease.index())), lease.resourceId() + " reset without its message",
                FleetDesktops.RECONCILE_INTERVAL.multipliedBy(2).plusSeconds(20));
    }

    /**
     * No answer tells B what exists in A's home: every route that takes a path answers a name that is there exactly as
     * one that is not (status and body, but for the name and the time).
     */
    @Test
    @Order(2)
    void noAnswerTellsAnotherDesktopsWorkerWhatExistsInAHome() {
        awaitAllFree();
        Lease a = allocate("worker-a");
        Lease b = allocate("worker-b");
        try {
            a.shell("echo x > ~/present.txt && mkdir ~/present-dir && printf '#!/bin/sh\\n' > ~/present-prog "
                    + "&& chmod 755 ~/present-prog ~/present-dir").then().body("returncode", org.hamcrest.Matchers.equalTo(0));
            String aHome = FleetDesktops.HOMES.resolve("desktop-" + a.index()).toString();
            sameAnswer(aHome, "present.txt", name -> b.call().multiPart("file_path", aHome + "/" + name).post("/file"));
            sameAnswer(aHome, "present-dir", name -> b.call().multiPart("file_path", aHome + "/" + name).post("/file"));
            sameAnswer(aHome, "present-dir", name -> b.call().contentType(ContentType.JSON)
                    .body(Map.of("path", aHome + "/" + name)).post("/list_directory"));
            for (String name : List.of("present.txt", "present-dir")) {
                sameAnswer(aHome, name, n -> b.call().multiPart("file_path", aHome + "/" + n)
                        .multiPart("file_data", "x.txt", "b's".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .post("/setup/upload"));
                sameAnswer(aHome, name, n -> b.call().multiPart("file_path", aHome + "/" + n + "/below")
                        .multiPart("file_data", "x.txt", "b's".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .post("/setup/upload"));
            }
            sameAnswer(aHome, "present-dir", name -> b.call().contentType(ContentType.JSON)
                    .body(Map.of("script", "pwd", "working_dir", aHome + "/" + name)).post("/run_bash_script"));
            sameAnswer(aHome, "present-prog", name -> b.call().contentType(ContentType.JSON)
                    .body(Map.of("command", List.of(aHome + "/" + name))).post("/execute"));
            sameAnswer(aHome, "present.txt", name -> b.call().contentType(ContentType.JSON)
                    .body(Map.of("path", aHome + "/" + name)).post("/setup/open_file"));
            assertEquals("x\n", a.call().multiPart("file_path", "~/present.txt").post("/file").then().statusCode(200)
                    .extract().asString(), "A's file is unchanged and A reads it");
        } finally {
            release(a);
            release(b);
        }
    }

    /**
     * Calls of a lease that ends while they run are cut off by the reset, and nothing they started outlives it: a
     * command that would write into the home in five minutes, one left behind in the background, and a pyautogui
     * program sleeping between two moves. They answer {@code 409 LEASE_NOT_LIVE} long before they would have ended,
     * their processes are gone (so nothing of theirs can write later), and the next holder's home has nothing of them.
     */
    @Test
    @Order(5)
    void callsRunningWhenTheLeaseEndsAreCutOffAtTheResetAndNothingReachesTheNextHolder() throws Exception {
        awaitAllFree();
        Lease held = allocate("worker-holding-the-other");
        Lease a = allocate("worker-g");
        ExecutorService calls = Executors.newFixedThreadPool(2);
        try {
            String late = "late-" + System.nanoTime();
            a.shell("(sleep 312; touch ~/" + late + "-background) > /dev/null 2>&1 &").then().statusCode(200);
            Future<io.restassured.response.Response> foreground = calls.submit(
                    () -> a.shell("sleep 311; touch ~/" + late + "-foreground"));
            Future<io.restassured.response.Response> program = calls.submit(() -> a.call().contentType(ContentType.JSON)
                    .body(Map.of("command", List.of("python", "-c", OsWorldCalls.OSWORLD_PREFIX
                            + "pyautogui.moveTo(7, 9); time.sleep(100); pyautogui.moveTo(300, 300)")))
                    .post("/execute"));
            Conditions.await(() -> !processesRunning("sleep 311").isEmpty() && !processesRunning("sleep 312").isEmpty(),
                    "A's commands run");
            Conditions.await(() -> List.of(7, 9).equals(a.call().get("/cursor_position").then().statusCode(200)
                    .extract().jsonPath().getList("$")), "A's pyautogui program moved and sleeps");

            long released = System.nanoTime();
            release(a);
            for (Future<io.restassured.response.Response> call : List.of(foreground, program)) {
                call.get(60, TimeUnit.SECONDS).then().statusCode(409)
                        .body("error.code", org.hamcrest.Matchers.equalTo("LEASE_NOT_LIVE"));
            }
            Duration cutOffAfter = Duration.ofNanos(System.nanoTime() - released);
            assertTrue(cutOffAfter.compareTo(Duration.ofSeconds(60)) < 0, "cut off after " + cutOffAfter);

            Lease b = allocate("worker-h");
            try {
                assertEquals(a.resourceId(), b.resourceId());
                assertEquals(List.of(), processesRunning("sleep 311"), "the foreground command outlived the reset");
                assertEquals(List.of(), processesRunning("sleep 312"), "the background command outlived the reset");
                for (String file : List.of(late + "-foreground", late + "-background")) {
                    b.call().multiPart("file_path", "~/" + file).post("/file").then().statusCode(404);
                }
                assertNotEquals(List.of(300, 300), b.call().get("/cursor_position").then().statusCode(200).extract()
                        .jsonPath().getList("$"), "the program's second move reached the next holder's desktop");
            } finally {
                release(b);
            }
        } finally {
            calls.shutdownNow();
            release(held);
        }
    }

    @Test
    @Order(6)
    void aDesktopWhoseResetFailsGoesDownWithTheReasonAndIsOfferedAgainOnceARetrySucceeds() throws IOException {
        awaitAllFree();
        Lease lease = allocate("worker-e");
        // the other desktop held, so that the next grant can only be this one
        Lease held = allocate("worker-holding-the-other-e");
        try {
            failAndRecover(lease);
        } finally {
            release(held);
        }
    }

    private void failAndRecover(Lease lease) throws IOException {
        // planted failure: the template is no directory any more, so the home cannot be restored
        Path aside = FleetDesktops.ROOT.resolve("template-aside");
        Files.move(FleetDesktops.TEMPLATE, aside);
        Files.writeString(FleetDesktops.TEMPLATE, "not a directory");
        try {
            release(lease);
            Conditions.await(() -> "down".equals(state(lease.index())), lease.resourceId() + " down",
                    Duration.ofSeconds(30));
            String reason = allocator().get(RealAllocator.resourcePath(lease.resourceId())).then().extract()
                    .path("down_reason");
            assertTrue(reason.contains("template") && reason.contains("not a directory"), reason);
            // nothing is granted on it, and its routes say why
            given().port(lease.port()).header("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN).get("/platform")
                    .then().statusCode(503).body("error.code", org.hamcrest.Matchers.equalTo("DESKTOP_UNAVAILABLE"));
        } finally {
            Files.delete(FleetDesktops.TEMPLATE);
            Files.move(aside, FleetDesktops.TEMPLATE);
        }
        // the failure was transient: a retry resets it clean, it is registered again and the allocator frees it once
        // the reset it still owes is reported done
        Conditions.await(() -> "free".equals(state(lease.index())), lease.resourceId() + " free again after a retry",
                Duration.ofSeconds(60));
        assertTrue(given().get("/q/metrics").then().statusCode(200).extract().asString()
                .contains("envgrid_desktop_reset_retries_total{outcome=\"done\""), "retries counted");
        Lease next = allocate("worker-after-recovery");
        try {
            assertEquals(lease.resourceId(), next.resourceId());
            next.call().multiPart("file_path", "~/template.txt").post("/file").then().statusCode(200);
        } finally {
            release(next);
        }
    }

    @Test
    @Order(6)
    void aDisplayTakenByAnotherUidDuringTheResetDoesNotKeepTheDesktopDown() throws Exception {
        awaitAllFree();
        Lease lease = allocate("worker-squatted");
        Lease held = allocate("worker-holding-the-other-squat");
        String display = lease.shell("printf %s \"$DISPLAY\"").then().extract().path("output");
        assertTrue(display.matches(":\\d+"), display);
        // another tenant waits for the display's abstract socket name to come free while the desktop is reset, binds it
        // and writes the display's lock file with its own pid: an X server on that number cannot start
        Process squatter = new ProcessBuilder("setpriv", "--reuid=61999", "--regid=61999", "--clear-groups",
                "/usr/bin/python3", "-c", SQUATTER, display.substring(1)).redirectErrorStream(true).start();
        java.util.concurrent.CompletableFuture<String> bound = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(squatter.getInputStream().readNBytes(5));
            } catch (IOException e) {
                return e.toString();
            }
        });
        Path lock = Path.of("/tmp/.X" + display.substring(1) + "-lock");
        try {
            release(lease);
            Conditions.await(() -> "free".equals(state(lease.index())), lease.resourceId() + " reset although squatted",
                    Duration.ofSeconds(60));
            assertEquals("bound", bound.get(10, java.util.concurrent.TimeUnit.SECONDS),
                    "the squatter took the old display's socket name");
            Lease next = allocate("worker-after-squat");
            try {
                assertEquals(lease.resourceId(), next.resourceId());
                String now = next.shell("printf %s \"$DISPLAY\"").then().extract().path("output");
                assertNotEquals(display, now, "the new X server is not on the squatted display");
                next.shell("xdpyinfo >/dev/null").then().body("returncode", org.hamcrest.Matchers.equalTo(0));
                assertTrue(next.screenshot(next).length > 0);
            } finally {
                release(next);
            }
        } finally {
            release(held);
            squatter.destroyForcibly().waitFor();
            if (Files.exists(lock) && Integer.valueOf(61999).equals(Files.getAttribute(lock, "unix:uid"))) {
                Files.delete(lock);
            }
        }
    }

    /** Binds {@code @/tmp/.X11-unix/X<argv[1]>} as soon as it is free, says "bound", writes the lock file, holds on. */
    private static final String SQUATTER = """
            import os, socket, sys, time
            n = sys.argv[1]
            s = socket.socket(socket.AF_UNIX)
            while True:
                try:
                    s.bind("\\0/tmp/.X11-unix/X" + n)
                    break
                except OSError:
                    time.sleep(0.002)
            s.listen(1)
            print("bound", flush=True)
            try:
                with open("/tmp/.X%s-lock" % n, "x") as lock:
                    lock.write("%10d\\n" % os.getpid())
            except OSError:
                pass
            time.sleep(600)
            """;

    /** A grant of one desktop to a worker. */
    private record Lease(String worker, String resourceId, int port, String token) {

        int index() {
            return Integer.parseInt(resourceId.substring(resourceId.lastIndexOf('-') + 1));
        }

        RequestSpecification call() {
            return given().port(port).header(LEASE_HEADER, token);
        }

        io.restassured.response.Response shell(String command) {
            return call().contentType(ContentType.JSON).body(Map.of("command", command, "shell", true))
                    .post("/execute");
        }

        /** A screenshot of {@code whose} desktop, taken with its holder's token. */
        byte[] screenshot(Lease whose) {
            return whose.call().get("/screenshot").then().statusCode(200).extract().asByteArray();
        }
    }

    /**
     * Asks for the same thing by a name that is there and one that is not, and asserts both answers alike but for the
     * names and the envelope's time.
     */
    private static void sameAnswer(String home, String present,
            java.util.function.Function<String, io.restassured.response.Response> ask) {
        String absent = "absent" + present.substring("present".length());
        io.restassured.response.Response there = ask.apply(present);
        io.restassured.response.Response notThere = ask.apply(absent);
        String what = "asked for " + present + " and " + absent + " in " + home;
        assertTrue(there.statusCode() >= 400, what + ": " + there.asString());
        assertEquals(notThere.statusCode(), there.statusCode(), what + ": " + there.asString() + " / " + notThere.asString());
        assertEquals(comparable(notThere.asString(), absent), comparable(there.asString(), present), what);
    }

    private static String comparable(String body, String name) {
        return body.replace(name, "NAME").replaceAll("\"timestamp\"\\s*:\\s*\"[^\"]*\"", "\"timestamp\":\"T\"");
    }

    /** The command lines of the live processes that contain {@code text} (read from {@code /proc}, as root). */
    private static List<String> processesRunning(String text) {
        try (var all = ProcessHandle.allProcesses()) {
            return all.map(p -> {
                try {
                    return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                            java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').strip();
                } catch (IOException e) {
                    return "";
                }
            }).filter(line -> line.contains(text) && !line.contains("pgrep")).toList();
        }
    }

    private static Lease allocate(String worker) {
        JsonPath grant = allocator().contentType(ContentType.JSON)
                .body(Map.of("worker_id", worker, "resource_types", List.of(TYPE), "timeout", 120, "wait_ms", 30000))
                .post("/allocate").then().statusCode(200).extract().jsonPath();
        return new Lease(worker, grant.getString(TYPE + ".id"), grant.getInt(TYPE + ".port"),
                grant.getString(TYPE + ".lease_token"));
    }

    private static void release(Lease lease) {
        allocator().contentType(ContentType.JSON).body(Map.of("worker_id", lease.worker(), "resource_id",
                lease.resourceId())).post("/release").then().statusCode(200);
    }

    private static String state(int index) {
        return allocator().get(RealAllocator.resourcePath(resourceId(index))).then().extract().path("state");
    }

    private static void awaitAllFree() {
        for (int i = 0; i < FleetDesktops.COUNT; i++) {
            int index = i;
            Conditions.await(() -> "free".equals(state(index)), resourceId(i) + " free", Duration.ofSeconds(60));
        }
    }

    private static RequestSpecification allocator() {
        return given().baseUri(RealAllocator.url().toString()).urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + RealAllocator.SERVICE_TOKEN);
    }
}

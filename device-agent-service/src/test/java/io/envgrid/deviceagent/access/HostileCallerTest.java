package io.envgrid.deviceagent.access;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.deviceagent.osworld.DesktopResource;
import io.envgrid.deviceagent.osworld.SetupResource;
import io.envgrid.deviceagent.record.PathSegments;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.HeldRequest;
import io.envgrid.deviceagent.support.McpClient;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.ResetRefusals;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WorkerScratch;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A hostile or buggy caller against the agent, with the real allocator (packaged, on a real Redis) and a real X
 * display (Xvfb): the desktop routes without a credential, with a lease token of another resource, of an ended
 * lease (released, expired, granted anew to another worker), with a stale fencing token; device tools on a leased
 * device (over REST and MCP), and on a device nobody leases; borrowing and returning without the service token; a
 * borrow and return of a device an operator drained; ids with every allowed special character. Every refusal carries the error envelope and leaves nothing behind; the live lease token and the
 * service token work.
 */
@QuarkusTest
@WithAllocator
class HostileCallerTest {

    private static final String DESKTOP = RealAllocator.AGENT_ID + ":desktop";
    private static final String HOST = "test-host";
    private static final String HOST_RESOURCE = RealAllocator.AGENT_ID + ":" + HOST;
    private static final String EMULATOR = "emulator-5554";
    private static final String EMULATOR_RESOURCE = RealAllocator.AGENT_ID + ":" + EMULATOR;
    private static final String LEASE_HEADER = "X-Envgrid-Lease-Token";
    /**
     * Where the desktop's commands leave their traces, as they see it: below {@code target/}, which is below the host's
     * {@code /tmp} in a checkout there (the clean-clone CI's), where a root agent's exec user has a {@code /tmp} of its
     * own; so it is made, and looked into, by the exec user's own commands ({@link #makeMarks}, {@link #workerSees}).
     */
    private static final Path MARKS = Path.of("target", "hostile").toAbsolutePath();

    @TestHTTPResource("/mcp")
    URI mcp;

    @TestHTTPResource("/")
    URI agent;

    /**
     * One harmful call per desktop route, each leaving a trace if it ran (a file under {@link #MARKS}, or a recording
     * started). Compared with the routes {@link DesktopResource} and {@link SetupResource} declare, so that a new route
     * must be added here.
     */
    private static Map<String, Function<RequestSpecification, Response>> desktopCalls(String mark) {
        Path m = MARKS.resolve(mark);
        return Map.ofEntries(
                Map.entry("GET /screenshot", r -> r.get("/screenshot")),
                Map.entry("GET /accessibility", r -> r.get("/accessibility")),
                Map.entry("POST /screen_size", r -> r.post("/screen_size")),
                Map.entry("GET /cursor_position", r -> r.get("/cursor_position")),
                Map.entry("GET /platform", r -> r.get("/platform")),
                Map.entry("POST /execute", r -> json(r, Map.of("command", "touch " + m + "-execute", "shell", true))
                        .post("/execute")),
                Map.entry("POST /setup/execute", r -> json(r, Map.of("command", List.of("touch", m + "-setup-execute")))
                        .post("/setup/execute")),
                Map.entry("POST /setup/launch", r -> json(r, Map.of("command", List.of("touch", m + "-launch")))
                        .post("/setup/launch")),
                Map.entry("POST /run_python", r -> json(r, Map.of("code", "open('" + m + "-python', 'w').close()"))
                        .post("/run_python")),
                Map.entry("POST /run_bash_script", r -> json(r, Map.of("script", "touch " + m + "-bash"))
                        .post("/run_bash_script")),
                Map.entry("POST /list_directory", r -> json(r, Map.of("path", MARKS.toString())).post("/list_directory")),
                Map.entry("POST /file", r -> r.formParam("file_path", "/etc/hostname").post("/file")),
                Map.entry("POST /setup/upload", r -> r.multiPart("file_path", m + "-upload")
                        .multiPart("file_data", "x.txt", "payload".getBytes(StandardCharsets.UTF_8)).post("/setup/upload")),
                Map.entry("POST /start_recording", r -> r.post("/start_recording")),
                Map.entry("POST /end_recording", r -> r.post("/end_recording")),
                Map.entry("POST /setup/open_file", r -> json(r, Map.of("path", "/etc/hostname")).post("/setup/open_file")),
                Map.entry("POST /setup/activate_window", r -> json(r, Map.of("window_name", "xterm"))
                        .post("/setup/activate_window")),
                Map.entry("POST /setup/close_window", r -> json(r, Map.of("window_name", "xterm"))
                        .post("/setup/close_window")),
                Map.entry("POST /setup/change_wallpaper", r -> json(r, Map.of("path", "/etc/hostname"))
                        .post("/setup/change_wallpaper")));
    }

    private static final List<String> TRACES = List.of("-execute", "-setup-execute", "-launch", "-python", "-bash",
            "-upload");

    @Test
    void everyDesktopRouteRefusesACallerWithoutACredentialAndNothingHappens() throws IOException {
        makeMarks(); // which waits for the reset after a former test's lease: the operator's calls below need it open
        Map<String, Function<RequestSpecification, Response>> calls = desktopCalls("anonymous");
        assertEquals(declaredDesktopRoutes(), new TreeSet<>(calls.keySet()), "every desktop route is tried");
        for (Map.Entry<String, Function<RequestSpecification, Response>> call : calls.entrySet()) {
            refused(call.getValue().apply(given()), 401, "UNAUTHORIZED", call.getKey());
            // a bearer token that is not the service token is no credential either
            refused(call.getValue().apply(given().header("Authorization", "Bearer guessed")), 401, "UNAUTHORIZED",
                    call.getKey());
        }
        // what the operator's own launch does is seen, so the refused launch would have been by now
        Path control = MARKS.resolve("control-" + System.nanoTime());
        AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("command", List.of("touch", control.toString())))
                .post("/setup/launch").then().statusCode(200);
        Conditions.await(() -> workerSees(control), "the operator's launch ran");
        assertNoTraces("anonymous");
        AgentCalls.asService().post("/end_recording").then().statusCode(400); // no recording was started
    }

    @Test
    void aLeaseTokenOfAnotherResourceOrNotATokenAtAllIsRefused() throws IOException {
        makeMarks();
        JsonPath device = allocate("worker-b", "device_linux");
        try {
            String otherResourcesToken = device.getString("device_linux.lease_token");
            for (var call : desktopCalls("other-resource").entrySet()) {
                refused(call.getValue().apply(given().header(LEASE_HEADER, otherResourcesToken)), 409, "LEASE_NOT_LIVE",
                        call.getKey());
            }
            refused(desktopCalls("malformed").get("POST /execute").apply(given().header(LEASE_HEADER, "let-me-in")),
                    401, "UNAUTHORIZED", "a header that is no lease token");
            refused(desktopCalls("guessed").get("POST /execute")
                    .apply(given().header(LEASE_HEADER, "elt_AAAAAAAAAAAAAAAAAAAAAA")), 409, "LEASE_NOT_LIVE", "guessed");
        } finally {
            release("worker-b", HOST_RESOURCE);
        }
        assertNoTraces("other-resource");
        assertNoTraces("malformed");
        assertNoTraces("guessed");
    }

    @Test
    void theLiveLeaseTokenWorksAndAReleasedOneIsRefusedOnTheVeryNextCall() throws IOException {
        makeMarks();
        String token = allocate("worker-a", "vm_pyautogui").getString("vm_pyautogui.lease_token");
        Path during = MARKS.resolve("live-" + System.nanoTime());
        execute(given().header(LEASE_HEADER, token), "touch " + during).statusCode(200).body("returncode", equalTo(0));
        assertTrue(workerSees(during), "the live lease holder's command ran");
        given().header(LEASE_HEADER, token).get("/platform").then().statusCode(200).body(equalTo("Linux"));
        release("worker-a", DESKTOP);
        Path after = MARKS.resolve("released-" + System.nanoTime());
        refused(execute(given().header(LEASE_HEADER, token), "touch " + after).extract().response(), 409,
                "LEASE_NOT_LIVE", "the very next call after release");
        refused(execute(AgentCalls.asService().header(LEASE_HEADER, token), "touch " + after).extract().response(), 409,
                "LEASE_NOT_LIVE", "a service passing on the released lease's token");
        // with a /tmp of its own the exec user's reset drops a trace anyway: then the answers above are the check
        assertFalse(workerSees(after));
    }

    @Test
    void anExpiredLeaseIsRefusedWhetherOrNotItWasReclaimed() throws IOException {
        makeMarks();
        JsonPath granted = allocator().contentType(ContentType.JSON)
                .body(Map.of("worker_id", "worker-short", "resource_types", List.of("vm_pyautogui"), "timeout", 1))
                .post("/allocate").then().statusCode(200).extract().jsonPath();
        String token = granted.getString("vm_pyautogui.lease_token");
        Instant expires = Instant.parse(granted.getString("vm_pyautogui.expires_at"));
        Conditions.await(() -> Instant.now().isAfter(expires.plusMillis(20)), "the lease's expiry passed");
        Path after = MARKS.resolve("expired-" + System.nanoTime());
        refused(execute(given().header(LEASE_HEADER, token), "touch " + after).extract().response(), 409,
                "LEASE_NOT_LIVE", "a call after expiry");
        assertFalse(workerSees(after));
        allocator().contentType(ContentType.JSON).body(Map.of("worker_id", "worker-short", "resource_id", DESKTOP))
                .post("/release"); // reclaimed on the spot already, or by the reaper: either answer is fine
    }

    @Test
    void aGrantToAnotherWorkerEndsTheOldHoldersToken() throws IOException {
        makeMarks();
        JsonPath first = allocate("worker-a", "vm_pyautogui");
        String oldToken = first.getString("vm_pyautogui.lease_token");
        given().header(LEASE_HEADER, oldToken).get("/platform").then().statusCode(200);
        release("worker-a", DESKTOP);
        JsonPath second = allocate("worker-b", "vm_pyautogui");
        try {
            assertTrue(second.getLong("vm_pyautogui.fencing_token") > first.getLong("vm_pyautogui.fencing_token"));
            Path stale = MARKS.resolve("old-holder-" + System.nanoTime());
            refused(execute(given().header(LEASE_HEADER, oldToken), "touch " + stale).extract().response(), 409,
                    "LEASE_NOT_LIVE", "the old holder after a new grant");
            assertFalse(workerSees(stale));
            given().header(LEASE_HEADER, second.getString("vm_pyautogui.lease_token")).get("/platform").then()
                    .statusCode(200);
        } finally {
            release("worker-b", DESKTOP);
        }
    }

    /**
     * The lease is checked once the body is in, not on the headers: a worker sends the headers and one byte of an
     * {@code /execute} body with its live token, keeps working, releases, the desktop is granted to another worker,
     * and only then the rest of the body arrives. Checked on the headers alone it would run on the new holder's desktop.
     */
    @Test
    void aLeaseReleasedWhileTheBodyIsStillArrivingIsRefusedAndNothingRuns() throws IOException {
        makeMarks();
        Path smuggled = MARKS.resolve("smuggled-" + System.nanoTime());
        byte[] body = ("{\"command\": \"touch " + smuggled + "\", \"shell\": true}").getBytes(StandardCharsets.UTF_8);
        // looked for while the next holder has the desktop: its reset after that drops a private /tmp's trace
        refusedAfterANewGrant("a JSON body finished after the release", token -> held(
                HeldRequest.head(agent, "POST", "/execute", "application/json", body.length, LEASE_HEADER + ": " + token),
                body, 1), nextToken -> assertFalse(workerSees(smuggled), "the smuggled command ran"));
    }

    /** The same with a multipart upload whose last part arrives after the release: nothing is written. */
    @Test
    void aMultipartUploadFinishedAfterTheReleaseIsRefusedAndWritesNothing() throws IOException {
        makeMarks();
        Path smuggled = MARKS.resolve("smuggled-upload-" + System.nanoTime());
        String boundary = "envgrid-held-" + System.nanoTime();
        byte[] body = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file_path\"\r\n\r\n" + smuggled
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file_data\"; filename=\"x.txt\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nthe next holder's desktop\r\n--" + boundary + "--\r\n")
                .getBytes(StandardCharsets.UTF_8);
        refusedAfterANewGrant("a multipart body finished after the release", token -> held(
                HeldRequest.head(agent, "POST", "/setup/upload", "multipart/form-data; boundary=" + boundary,
                        body.length, LEASE_HEADER + ": " + token), body, body.length - 10),
                nextToken -> assertFalse(workerSees(smuggled), "the smuggled upload was written"));
    }

    /**
     * A route without a body: a request whose headers are still arriving when the lease ends, finished once the desktop
     * is someone else's, is refused and starts no recording: the next holder finds none to end. (A body sent to such a
     * route is not waited for: the route acts, and checks the lease, as soon as the headers are in.) Asked by the next
     * holder while it holds the desktop: after its release a root agent's reset would delete any recording anyway.
     */
    @Test
    void aRouteWithoutABodyStartedBeforeTheReleaseIsRefused() throws IOException {
        refusedAfterANewGrant("headers finished after the release", token -> {
            byte[] head = HeldRequest.head(agent, "POST", "/start_recording", null, 0, LEASE_HEADER + ": " + token);
            // all but the blank line that ends the headers
            return new byte[][] {Arrays.copyOf(head, head.length - 2), "\r\n".getBytes(StandardCharsets.US_ASCII)};
        }, nextToken -> given().header(LEASE_HEADER, nextToken).post("/end_recording").then().statusCode(400));
    }

    /** The request {@code head + body} in two parts: the first ends after {@code bodyBytesFirst} bytes of the body. */
    private static byte[][] held(byte[] head, byte[] body, int bodyBytesFirst) {
        byte[] first = Arrays.copyOf(head, head.length + bodyBytesFirst);
        System.arraycopy(body, 0, first, head.length, bodyBytesFirst);
        return new byte[][] {first, Arrays.copyOfRange(body, bodyBytesFirst, body.length)};
    }

    /**
     * Worker A leases the desktop and begins a request ({@code request} makes its two parts from A's token); A's
     * other calls still work meanwhile, then A releases and B is granted the desktop; only then the rest is sent. The
     * answer must be {@code 409 LEASE_NOT_LIVE}.
     */
    private void refusedAfterANewGrant(String what, Function<String, byte[][]> request) throws IOException {
        refusedAfterANewGrant(what, request, nextToken -> {
        });
    }

    /** As above, then {@code nextHolder} checks the desktop with B's lease token before B releases it. */
    private void refusedAfterANewGrant(String what, Function<String, byte[][]> request,
            Consumer<String> nextHolder) throws IOException {
        String token = allocate("worker-a", "vm_pyautogui").getString("vm_pyautogui.lease_token");
        byte[][] parts = request.apply(token);
        JsonPath next = null;
        try (HeldRequest held = HeldRequest.begin(agent, parts[0])) {
            given().header(LEASE_HEADER, token).get("/platform").then().statusCode(200);
            release("worker-a", DESKTOP);
            next = allocate("worker-b", "vm_pyautogui");
            String answer = held.finish(parts[1]);
            assertTrue(answer.startsWith("HTTP/1.1 409"), what + ": " + answer);
            assertTrue(answer.contains("\"LEASE_NOT_LIVE\""), what + ": " + answer);
            nextHolder.accept(next.getString("vm_pyautogui.lease_token"));
        } finally {
            if (next != null) {
                release("worker-b", DESKTOP);
            }
        }
    }

    @Test
    void deviceToolsOnALeasedDeviceTakeOnlyItsLeaseTokenOrTheServiceToken() throws IOException {
        Path files = Path.of("target", "test-data", "devices", "linux", HOST, "files");
        String tokenA = allocate("worker-a", "device_linux").getString("device_linux.lease_token");
        String desktopToken = allocate("worker-b", "vm_pyautogui").getString("vm_pyautogui.lease_token");
        try {
            String mark = "leased-" + System.nanoTime();
            refusedTool(given(), "touch " + mark, 401, "UNAUTHORIZED");
            refusedTool(given().header(LEASE_HEADER, desktopToken), "touch " + mark, 409, "LEASE_NOT_LIVE");
            refusedTool(given().header(LEASE_HEADER, "elt_AAAAAAAAAAAAAAAAAAAAAA"), "touch " + mark, 409,
                    "LEASE_NOT_LIVE");
            // tools that only read stay open, as the device tools' contract has them
            given().contentType(ContentType.JSON).body(Map.of("device_id", HOST)).post("/tools/device.status/call")
                    .then().statusCode(200);
            assertFalse(Files.exists(files.resolve(mark)), "no refused command ran");

            tool(given().header(LEASE_HEADER, tokenA), "touch " + mark).statusCode(200).body("exit_code", equalTo(0));
            assertTrue(Files.exists(files.resolve(mark)), "the lease holder's command ran");
            tool(AgentCalls.asService(), "true").statusCode(200);
        } finally {
            release("worker-a", HOST_RESOURCE);
            release("worker-b", DESKTOP);
        }
        // the release resets the host device; calls while that runs are refused, whoever makes them
        awaitFree(HOST_RESOURCE);
        String after = "after-release-" + System.nanoTime();
        refusedTool(given().header(LEASE_HEADER, tokenA), "touch " + after, 409, "LEASE_NOT_LIVE");
        // a service acting for the worker (the gateway) is held to the lease token it passes on
        refusedTool(AgentCalls.asService().header(LEASE_HEADER, tokenA), "touch " + after, 409, "LEASE_NOT_LIVE");
        assertFalse(Files.exists(files.resolve(after)));
        // no lease now: still not open (issue 11 review A2), the service token only
        refusedTool(given(), "touch " + after, 401, "UNAUTHORIZED");
        assertFalse(Files.exists(files.resolve(after)));
        tool(AgentCalls.asService(), "true").statusCode(200);
    }

    @Test
    void overMcpTheSameHeadersCount() {
        String tokenA = allocate("worker-a", "device_linux").getString("device_linux.lease_token");
        String mark = "mcp-" + System.nanoTime();
        Path files = Path.of("target", "test-data", "devices", "linux", HOST, "files");
        Map<String, Object> touch = Map.of("op", "call", "name", "device.execute",
                "arguments", Map.of("device_id", HOST, "command", "touch " + mark));
        try {
            JsonNode anonymous = McpClient.run(mcp, List.of(touch)).get(0).path("result");
            assertTrue(anonymous.path("isError").asBoolean(), anonymous.toString());
            assertEquals("UNAUTHORIZED", anonymous.path("structuredContent").path("error").path("code").asText());
            assertFalse(Files.exists(files.resolve(mark)));
            JsonNode holder = McpClient.run(mcp, Map.of(LEASE_HEADER, tokenA), List.of(touch)).get(0).path("result");
            assertFalse(holder.path("isError").asBoolean(), holder.toString());
            assertTrue(Files.exists(files.resolve(mark)));
        } finally {
            release("worker-a", HOST_RESOURCE);
        }
    }

    @Test
    void aLeaseWithALowerFencingTokenThanOneSeenIsRefused() {
        awaitRegistered(EMULATOR_RESOURCE);
        // the emulator's record is shared with other test classes: its name is put back at the end
        String originalName = AgentCalls.call("device.info", Map.of("device_id", EMULATOR)).statusCode(200).extract()
                .path("name");
        // two grants, the second one used: the agent has seen fencing token >= 2 for the emulator
        release("worker-a", EMULATOR_RESOURCE, allocate("worker-a", "device_android"));
        JsonPath second = allocate("worker-a", "device_android");
        long seen = second.getLong("device_android.fencing_token");
        assertTrue(seen >= 2, "fencing token " + seen);
        update(second.getString("device_android.lease_token"), "Seen").statusCode(200);
        release("worker-a", EMULATOR_RESOURCE);
        // an allocator that lost its fencing counters hands out token 1 again
        assertEquals(":1", RealAllocator.redis("HDEL", "{envgrid}:fence", EMULATOR_RESOURCE));
        JsonPath third = allocate("worker-a", "device_android");
        try {
            assertEquals(1, third.getLong("device_android.fencing_token"));
            update(third.getString("device_android.lease_token"), "Stale").statusCode(409)
                    .body("error.code", equalTo("STALE_FENCING_TOKEN"))
                    .body("error.details.highest_seen", equalTo((int) seen));
            AgentCalls.call("device.info", Map.of("device_id", EMULATOR)).statusCode(200).body("name", equalTo("Seen"));
        } finally {
            release("worker-a", EMULATOR_RESOURCE);
            AgentCalls.call("device.update", Map.of("device_id", EMULATOR, "updates", Map.of("name", originalName)))
                    .statusCode(200);
        }
    }

    @Test
    void onlyAnOperatorBorrowsAndReturnsADeviceAndARefusalChangesNothing() throws IOException {
        awaitFree(HOST_RESOURCE);
        Path record = Path.of("target", "test-data", "devices", "linux", HOST, "device.json");
        byte[] free = Files.readAllBytes(record);
        given().contentType(ContentType.JSON).body(Map.of("device_id", HOST, "borrower", "alice", "purpose", "p",
                "expected_return_date", "2030-01-01T00:00:00Z")).post("/tools/device.borrow/call").then().statusCode(401)
                .body("error.code", equalTo("UNAUTHORIZED"));
        assertArrayEquals(free, Files.readAllBytes(record), "a refused borrow wrote nothing");
        assertEquals("free", resource(HOST_RESOURCE).getString("state"), "nor drained the device");
        AgentCalls.call("device.borrow", Map.of("device_id", HOST, "borrower", "alice", "purpose", "p",
                "expected_return_date", "2030-01-01T00:00:00Z")).statusCode(200);
        try {
            byte[] before = Files.readAllBytes(record);
            assertEquals("draining", resource(HOST_RESOURCE).getString("state"));
            // the returner a caller names proves nothing: the borrower's own name is refused too without the token
            for (String returner : List.of("mallory", "alice")) {
                given().contentType(ContentType.JSON).body(Map.of("device_id", HOST, "returner", returner))
                        .post("/tools/device.return/call").then().statusCode(401)
                        .body("error.code", equalTo("UNAUTHORIZED")).body("error.timestamp", notNullValue());
            }
            assertArrayEquals(before, Files.readAllBytes(record), "device.json untouched");
            assertEquals("draining", resource(HOST_RESOURCE).getString("state"), "still drained in the allocator");
        } finally {
            AgentCalls.call("device.return", Map.of("device_id", HOST, "returner", "operator")).statusCode(200)
                    .body("returner", equalTo("operator"));
        }
        assertEquals("free", resource(HOST_RESOURCE).getString("state"));
    }

    @Test
    void aBorrowAndReturnLeaveAnOperatorsDrainInPlace() {
        awaitFree(HOST_RESOURCE);
        String path = RealAllocator.resourcePath(HOST_RESOURCE);
        allocator().post(path + "/drain").then().statusCode(200);
        try {
            AgentCalls.call("device.borrow", Map.of("device_id", HOST, "borrower", "bob", "purpose", "p",
                    "expected_return_date", "2030-01-01T00:00:00Z")).statusCode(200);
            AgentCalls.call("device.return", Map.of("device_id", HOST, "returner", "operator")).statusCode(200);
            assertEquals("draining", resource(HOST_RESOURCE).getString("admin"), "the return kept the operator's drain");
            // a borrow refused because of a lease does not undo it either
            allocator().post(path + "/undrain").then().statusCode(200);
            String token = allocate("worker-a", "device_linux").getString("device_linux.lease_token");
            assertTrue(token.startsWith("elt_"));
            try {
                allocator().post(path + "/drain").then().statusCode(200);
                AgentCalls.call("device.borrow", Map.of("device_id", HOST, "borrower", "bob", "purpose", "p",
                        "expected_return_date", "2030-01-01T00:00:00Z")).statusCode(409)
                        .body("error.code", equalTo("DEVICE_ALREADY_BORROWED"));
                assertEquals("draining", resource(HOST_RESOURCE).getString("admin"), "the refusal kept it drained");
            } finally {
                release("worker-a", HOST_RESOURCE);
            }
        } finally {
            allocator().post(path + "/undrain").then().statusCode(200);
        }
        // the host device is reset between leases (fleet/HostDevice): borrowed only once free again
        Conditions.await(() -> "free".equals(resource(HOST_RESOURCE).getString("state")), HOST_RESOURCE
                + " free again after its reset");
        // the agent's own drain is still undone by the return
        AgentCalls.call("device.borrow", Map.of("device_id", HOST, "borrower", "bob", "purpose", "p",
                "expected_return_date", "2030-01-01T00:00:00Z")).statusCode(200);
        assertEquals("draining", resource(HOST_RESOURCE).getString("state"));
        AgentCalls.call("device.return", Map.of("device_id", HOST, "returner", "operator")).statusCode(200);
        assertEquals("free", resource(HOST_RESOURCE).getString("state"));
    }

    @Test
    void idsWithEverySpecialCharacterTheRuleAllowsWorkForDeviceRecords() throws IOException {
        String base = AgentCalls.uniqueId("rack");
        Path typeDir = Path.of("target", "test-data", "devices", "ios").toAbsolutePath();
        List<String> ids = List.of(base + "/7:slot@2.a-b_c", base + "/../" + base, base + ".", base + "/x", base);
        for (String id : ids) {
            AgentCalls.call("device.create", Map.of("device_id", id, "name", "n", "type", "ios", "sku", "s", "cpu_type", "c"))
                    .statusCode(200);
        }
        for (String id : ids) {
            AgentCalls.call("device.info", Map.of("device_id", id)).statusCode(200).body("device_id", equalTo(id));
            AgentCalls.call("device.update", Map.of("device_id", id, "updates", Map.of("name", "named " + id)))
                    .statusCode(200);
            Path dir = typeDir.resolve(PathSegments.encode(id));
            assertEquals(typeDir, dir.getParent(), "one directory level per id");
            assertTrue(Files.isRegularFile(dir.resolve("device.json")), id);
            String encoded = id.replace("/", "%2F").replace(":", "%3A").replace("@", "%40");
            AgentCalls.asService().urlEncodingEnabled(false).get("/resources/devices/ios/" + encoded + "/device.json").then()
                    .statusCode(200)
                    .body("contents.device_id", equalTo(id)).body("contents.name", equalTo("named " + id));
        }
        // nothing outside the ids' own directories: "../" inside an id named no parent
        try (Stream<Path> entries = Files.list(typeDir)) {
            Set<String> names = entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            assertTrue(names.containsAll(ids.stream().map(PathSegments::encode).toList()), names.toString());
            assertFalse(names.stream().anyMatch(n -> n.equals(".") || n.equals("..") || n.contains("/")));
        }
        assertFalse(Files.exists(typeDir.resolve(base).resolve("7:slot@2.a-b_c")), "no nested directory");
        // read back from disk by a restart of the agent's state
        AgentCalls.call("system.restart", Map.of()).statusCode(200);
        Conditions.await(() -> AgentCalls.call("device.info", Map.of("device_id", ids.get(0))).extract().statusCode() == 200
                && AgentCalls.call("device.list", Map.of()).extract().jsonPath().getList("devices.id").containsAll(ids),
                "the records read back after a restart");
        for (String bad : List.of("../evil", ".hidden", "a%2Fb", "/abs", "a b", "x".repeat(201), "a\u0000b")) {
            AgentCalls.call("device.create", Map.of("device_id", bad, "name", "n", "type", "ios", "sku", "s", "cpu_type", "c"))
                    .statusCode(400).body("error.code", equalTo("INVALID_ID"));
            AgentCalls.call("device.info", Map.of("device_id", bad)).statusCode(400).body("error.code", equalTo("INVALID_ID"));
        }
        try (Stream<Path> entries = Files.list(typeDir.getParent().getParent())) {
            // adb-server/ is the agent's own (its adb server's socket directory, driver/AdbServer), made at start, and
            // so is .disk/ (a root agent's host device's file system, fleet/DesktopDisk)
            assertEquals(Set.of("devices"), entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals("adb-server") && !name.equals(".disk")).collect(Collectors.toSet()),
                    "nothing written next to devices/");
        }
        assertFalse(Files.exists(typeDir.resolve("evil")) || Files.exists(typeDir.getParent().resolve("evil")));
    }

    private static Set<String> declaredDesktopRoutes() {
        return Stream.of(DesktopResource.class, SetupResource.class).flatMap(c -> Arrays.stream(c.getDeclaredMethods()))
                .filter(m -> m.isAnnotationPresent(jakarta.ws.rs.Path.class))
                .map(m -> (m.isAnnotationPresent(jakarta.ws.rs.GET.class) ? "GET /" : "POST /")
                        + m.getAnnotation(jakarta.ws.rs.Path.class).value())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void assertNoTraces(String mark) {
        for (String trace : TRACES) {
            assertFalse(workerSees(MARKS.resolve(mark + trace)), "a refused call left " + mark + trace);
        }
    }

    /**
     * {@link #MARKS}, writable by the desktop's commands: made on the host (below a root-owned {@code target/} the exec
     * user could not make it) and by the exec user's own command (in its own {@code /tmp}, where {@code target/} is
     * below the host's).
     */
    private static void makeMarks() {
        awaitFree(DESKTOP); // a former test's lease ended: its reset is done once the allocator has the desktop free
        WorkerScratch.create(MARKS);
        assertEquals(0, asTheWorker("mkdir -p " + MARKS).getInt("returncode"), "the exec user's " + MARKS);
    }

    /** Whether the desktop's commands see {@code path}: asked by one of them, run with the service token. */
    private static boolean workerSees(Path path) {
        return asTheWorker("test -e " + path).getInt("returncode") == 0;
    }

    /**
     * {@code command} (one that may run twice) run as the desktop's commands are, with the service token, past any
     * reset of the desktop after a former test's lease ({@link ResetRefusals}; CI run of 2026-12-02).
     */
    private static JsonPath asTheWorker(String command) {
        return ResetRefusals.pastAReset(() -> execute(AgentCalls.asService(), command).extract().response()).then()
                .statusCode(200).extract().jsonPath();
    }

    private static void refused(Response response, int status, String code, String what) {
        assertEquals(status, response.statusCode(), what + ": " + response.asString());
        assertEquals(code, response.jsonPath().getString("error.code"), what);
        assertTrue(response.jsonPath().getString("error.timestamp") != null, what + ": the envelope");
    }

    private static RequestSpecification json(RequestSpecification request, Object body) {
        return request.contentType(ContentType.JSON).body(body);
    }

    private static ValidatableResponse execute(RequestSpecification request, String command) {
        return json(request, Map.of("command", command, "shell", true)).post("/execute").then();
    }

    private static ValidatableResponse tool(RequestSpecification request, String command) {
        return json(request, Map.of("device_id", HOST, "command", command)).post("/tools/device.execute/call").then();
    }

    private static void refusedTool(RequestSpecification request, String command, int status, String code) {
        tool(request, command).statusCode(status).body("error.code", equalTo(code))
                .body("error.details.resource_id", equalTo(HOST_RESOURCE));
    }

    private static ValidatableResponse update(String leaseToken, String name) {
        return json(given().header(LEASE_HEADER, leaseToken),
                Map.of("device_id", EMULATOR, "updates", Map.of("name", name))).post("/tools/device.update/call").then();
    }

    /**
     * Allocates the one resource of {@code type} the agent offers, once the agent has registered it (a test that runs
     * first may come before the agent's first reset of the host device has offered it: until then the type is unknown,
     * 400) and waiting while a former test's release is reset.
     */
    private static JsonPath allocate(String worker, String type) {
        awaitRegistered(switch (type) {
            case "device_linux" -> HOST_RESOURCE;
            case "device_android" -> EMULATOR_RESOURCE;
            case "vm_pyautogui" -> DESKTOP;
            default -> throw new IllegalArgumentException("no resource of type " + type + " in this test");
        });
        return allocator().contentType(ContentType.JSON)
                .body(Map.of("worker_id", worker, "resource_types", List.of(type), "timeout", 60, "wait_ms", 30000))
                .post("/allocate").then().statusCode(200).extract().jsonPath();
    }

    private static void release(String worker, String resourceId) {
        allocator().contentType(ContentType.JSON).body(Map.of("worker_id", worker, "resource_id", resourceId))
                .post("/release").then().statusCode(200);
    }

    private static void release(String worker, String resourceId, JsonPath grantedJustBefore) {
        assertEquals(resourceId, grantedJustBefore.getString("device_android.id"));
        release(worker, resourceId);
    }

    /** Registered, and free: a former test's release of a resource reset between leases has been reset. */
    private static void awaitFree(String id) {
        awaitRegistered(id);
        Conditions.await(() -> "free".equals(resource(id).getString("state")), id + " free", Duration.ofSeconds(60));
    }

    private static void awaitRegistered(String id) {
        Conditions.await(() -> allocator().get(RealAllocator.resourcePath(id)).statusCode() == 200, id + " registered",
                Duration.ofSeconds(60));
    }

    private static JsonPath resource(String id) {
        return allocator().get(RealAllocator.resourcePath(id)).then().statusCode(200).extract().jsonPath();
    }

    private static RequestSpecification allocator() {
        return given().baseUri(RealAllocator.url().toString()).urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + RealAllocator.SERVICE_TOKEN);
    }
}

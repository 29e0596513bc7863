package io.envgrid.gateway.mcp.protocol;

import static io.envgrid.gateway.support.McpHttp.call;
import static io.envgrid.gateway.support.McpHttp.initialize;
import static io.envgrid.gateway.support.McpHttp.mcp;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.RawSocket;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.Socket;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests a conforming client never sends are refused with the right status and error, and change nothing. */
@QuarkusTest
@WithCluster
class BadInputTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    @Test
    void otherMethodsOnTheMcpPathsAre405() {
        mcp().body("{}").put("/mcp").then().statusCode(405).header("Allow", "GET, POST, DELETE")
                .body("error.code", equalTo(JsonRpc.INVALID_REQUEST)).body("error.message", containsString("PUT"));
        mcp().body("{}").patch("/mcp").then().statusCode(405);
        mcp().body("{}").put("/messages?sessionId=x").then().statusCode(405).header("Allow", "POST");
        given().delete("/sse").then().statusCode(405).header("Allow", "GET");
    }

    /** Quarkus's own URI check answers an empty 400; the gateway's answers in the door's shape. */
    @Test
    void aMalformedPercentEscapeIsA400InTheDoorsShape() throws Exception {
        for (String path : new String[] {"/%zz", "/tools%zz", "/session/list?worker_id=%zz"}) {
            try (Socket socket = RawSocket.send(base, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")) {
                String answer = RawSocket.read(socket, null, Duration.ofSeconds(10));
                assertTrue(answer.startsWith("HTTP/1.1 400"), path + ": " + answer);
                assertTrue(answer.contains("\"code\":\"INVALID_PARAMETERS\"") && answer.contains("\"timestamp\""),
                        path + ": " + answer);
            }
        }
        try (Socket socket = RawSocket.send(base, "POST /mcp%zz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
                + "Connection: close\r\n\r\n{}")) {
            String answer = RawSocket.read(socket, null, Duration.ofSeconds(10));
            assertTrue(answer.startsWith("HTTP/1.1 400") && answer.contains("\"code\":-32600"), answer);
        }
    }

    /**
     * A Transfer-Encoding whose last coding is not chunked leaves the body's length unknowable (RFC 9112 6.3): 400 in
     * the door's shape on the head, and the connection closed (no Connection: close asked for). Was: no answer until
     * the idle timeout, the body taken to end with the connection.
     */
    @Test
    void aTransferEncodingNotEndingInChunkedIsA400AndTheConnectionCloses() throws Exception {
        for (String codings : new String[] {"gzip, zz", "chunked, gzip"}) {
            try (Socket socket = RawSocket.send(base, "POST /execute HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: " + codings + "\r\n\r\n{}")) {
                long start = System.nanoTime();
                String answer = RawSocket.read(socket, null, Duration.ofSeconds(20));
                assertTrue(answer.startsWith("HTTP/1.1 400"), codings + ": " + answer);
                assertTrue(answer.contains("does not end in chunked") && answer.contains("\"timestamp\""),
                        codings + ": " + answer);
                // read returns at the close; at the 20 s bound the connection stayed open
                assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(15)) < 0,
                        codings + ": the connection stayed open");
            }
        }
        given().get("/tools").then().statusCode(200);
    }

    /**
     * A chunked body whose framing is broken (a chunk size that is no hex number) cannot be
     * answered: Vert.x's HTTP/1 codec closes the connection before any route sees the request
     * (gateway README, "Security and limits"). What is pinned here: no answer, no 5xx, and the
     * gateway goes on serving.
     */
    @Test
    void aMalformedChunkedBodyClosesTheConnectionAndNothingElse() throws Exception {
        try (Socket socket = RawSocket.send(base, "POST /execute HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")) {
            assertEquals("", RawSocket.read(socket, null, Duration.ofSeconds(10)));
        }
        given().get("/tools").then().statusCode(200);
    }

    @Test
    void malformedJsonIsAParseError() {
        mcp().body("{not json").post("/mcp").then().statusCode(400).body("error.code", equalTo(JsonRpc.PARSE_ERROR));
    }

    @Test
    void notJsonRpcIsAnInvalidRequest() {
        mcp().body("{\"id\": 1, \"method\": \"ping\"}").post("/mcp").then().statusCode(400)
                .body("error.code", equalTo(JsonRpc.INVALID_REQUEST));
        mcp().body("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]").post("/mcp").then().statusCode(400)
                .body("error.code", equalTo(JsonRpc.INVALID_REQUEST));
    }

    /**
     * An invalid request's answer names its id only when that is an id (a string or an integer), else null. Was: the
     * value echoed, an object as sent and {@code 1e999} as the string {@code "Infinity"}.
     */
    @Test
    void anInvalidRequestIsAnsweredWithItsIdOnlyWhenThatIsAnId() {
        for (String id : List.of("{}", "[1]", "1e999", "1.5", "true")) {
            mcp().body("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}").post("/mcp").then().statusCode(400)
                    .body("error.code", equalTo(JsonRpc.INVALID_REQUEST)).body("id", nullValue());
        }
        mcp().body("{\"jsonrpc\":\"1.0\",\"id\":\"a\",\"method\":\"ping\"}").post("/mcp").then().statusCode(400)
                .body("id", equalTo("a"));
    }

    /**
     * An {@code initialize} whose params are not the spec's ({@code protocolVersion} string, {@code capabilities} object,
     * {@code clientInfo} with string {@code name} and {@code version}) is {@code -32602}, and no session is opened for it.
     * Was: any params, none included, opened a session (a Redis record until the idle sweep) and answered 200.
     */
    @Test
    void anInitializeWithoutItsParamsOpensNoSession() {
        String good = "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}";
        Long before = redis.sortedSet(String.class).zcard(keys.mcpSessionIndex());
        for (String params : List.of("", ",\"params\":null", ",\"params\":[]", ",\"params\":{}",
                ",\"params\":{\"protocolVersion\":1," + good + "}",
                ",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":[],\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}",
                ",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":\"t\"}",
                ",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":1,\"version\":\"1\"}}")) {
            mcp().body("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"initialize\"" + params + "}").post("/mcp").then()
                    .statusCode(400).header("Mcp-Session-Id", (String) null)
                    .body("id", equalTo(7)).body("error.code", equalTo(JsonRpc.INVALID_PARAMS))
                    .body("error.message", containsString("Invalid params: params"));
        }
        assertEquals(before, redis.sortedSet(String.class).zcard(keys.mcpSessionIndex()), "no session opened");
    }

    /** The legacy transport's {@code initialize} (its session opened by {@code GET /sse}) is checked the same way. */
    @Test
    void aLegacyInitializeWithoutItsParamsIsInvalidParams() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<Stream<String>> stream = client.send(HttpRequest.newBuilder(base.toURI().resolve("/sse"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = stream.body()) {
            Iterator<String> read = lines.iterator();
            String endpoint = "";
            while (!endpoint.startsWith("data: /messages")) {
                endpoint = read.next();
            }
            mcp().body("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"initialize\",\"params\":{\"capabilities\":[]}}")
                    .post(endpoint.substring("data: ".length())).then().statusCode(202);
            String answer = "";
            while (!answer.startsWith("data: {")) {
                answer = read.next();
            }
            assertTrue(answer.contains("\"id\":8") && answer.contains("\"code\":" + JsonRpc.INVALID_PARAMS), answer);
        }
    }

    @Test
    void requestsNeedALiveSession() {
        mcp().body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").post("/mcp").then().statusCode(400);
        mcp().header("Mcp-Session-Id", "no-such-session").body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                .post("/mcp").then().statusCode(404).body("error.code", equalTo(JsonRpc.SESSION_NOT_FOUND));
        String session = initialize(mcp());
        mcp().header("Mcp-Session-Id", session).delete("/mcp").then().statusCode(204);
        mcp().header("Mcp-Session-Id", session).body("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}")
                .post("/mcp").then().statusCode(404);
    }

    /**
     * The gateway issues session ids of one shape (22 base64url characters); an id of any other shape is an
     * unknown session on every door (404, {@code -32001}, as the Streamable HTTP transport answers one), before
     * any Redis key is built from it. {@code <id>:events} used to name the session's events stream, a key of
     * another type, and was answered 503.
     */
    @Test
    void aSessionIdNotOfTheIssuedShapeIsAnUnknownSession() {
        String session = initialize(mcp());
        // a session's events stream exists once a server-initiated message was recorded for it
        redis.stream(String.class).xadd(keys.mcpSessionEvents(session), Map.of("message", "{}"));
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
        for (String id : List.of(session + ":events", session + "x", session.substring(1), session.replace(session.charAt(3), '.'),
                "AAAAAAAAAAAAAAAAAAAA:A", "*", "no-such-session")) {
            mcp().header("Mcp-Session-Id", id).body(ping).post("/mcp").then().statusCode(404)
                    .body("error.code", equalTo(JsonRpc.SESSION_NOT_FOUND));
            given().accept("text/event-stream").header("Mcp-Session-Id", id).get("/mcp").then().statusCode(404)
                    .body("error.code", equalTo(JsonRpc.SESSION_NOT_FOUND));
            mcp().header("Mcp-Session-Id", id).delete("/mcp").then().statusCode(404)
                    .body("error.code", equalTo(JsonRpc.SESSION_NOT_FOUND));
            mcp().body(ping).post("/messages?sessionId=" + id).then().statusCode(404)
                    .body("error.code", equalTo(JsonRpc.SESSION_NOT_FOUND));
        }
        mcp().header("Mcp-Session-Id", session).body(ping).post("/mcp").then().statusCode(200);
        assertThrows(IllegalArgumentException.class, () -> keys.mcpSession(session + ":events"),
                "no key is built from an id the gateway did not issue");
    }

    @Test
    void unsupportedProtocolVersionIsRefused() {
        String session = initialize(mcp());
        given().contentType("application/json").header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "1999-01-01")
                .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").post("/mcp").then().statusCode(400);
    }

    @Test
    void unknownMethodsAndToolsAreJsonRpcErrors() {
        String session = initialize(mcp());
        mcp().header("Mcp-Session-Id", session).body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/destroy\"}")
                .post("/mcp").then().statusCode(200).body("error.code", equalTo(JsonRpc.METHOD_NOT_FOUND));
        call(session, 2, "format_disk", "{}").then().statusCode(200)
                .body("error.code", equalTo(JsonRpc.INVALID_PARAMS)).body("error.message", containsString("format_disk"));
    }

    @Test
    void invalidArgumentsAreToolErrorsWithTheEnvelope() {
        String session = initialize(mcp());
        call(session, 1, "allocate_batch_resources", "{\"worker_id\": \"w\", \"resource_types\": []}").then()
                .statusCode(200).body("result.isError", equalTo(true))
                .body("result.structuredContent.error.code", equalTo("INVALID_PARAMETERS"))
                .body("result.structuredContent.error.timestamp", notNullValue());
        call(session, 2, "allocate_batch_resources", "{\"worker_id\": 7, \"resource_types\": [\"vm_pyautogui\"]}").then()
                .body("result.structuredContent.error.code", equalTo("INVALID_PARAMETERS"));
        call(session, 3, "computer", "{\"worker_id\": \"w\", \"action\": \"left_click\", \"coordinate\": [1]}").then()
                .body("result.structuredContent.error.code", equalTo("INVALID_PARAMETERS"));
    }

    @Test
    void toolsNeedAWorkerUntilTheSessionIsBound() {
        String session = initialize(mcp());
        call(session, 1, "get_batch_initial_observations", "{}").then()
                .body("result.isError", equalTo(true)).body("result.structuredContent.error.code", equalTo("WORKER_NOT_BOUND"));
    }

    /**
     * Sent raw, with the length declared (a client writing the whole body meets the server's close after its early answer
     * as a broken pipe and never reads the answer) and chunked, one byte past the limit with no last chunk: to the MCP door
     * (a JSON-RPC error) and to the Sandbox API (the envelope). The chunked one to the Sandbox API was answered only
     * after the 60 s read timeout: Quarkus REST read the body and then drained the rest of it.
     */
    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void oversizedBodiesAre413(boolean chunked) throws IOException {
        long start = System.nanoTime();
        RawHttp.Response mcp = RawHttp.oversized(base.getPort(), "/mcp", "application/json",
                Map.of("Accept", "application/json, text/event-stream"), 1_048_576, chunked);
        assertEquals(413, mcp.status(), mcp.body());
        assertEquals(JsonRpc.INVALID_REQUEST, McpSteps.readTree(mcp.body()).at("/error/code").asInt(), mcp.body());

        RawHttp.Response sandbox = RawHttp.oversized(base.getPort(), "/execute", "application/json", Map.of(), 1_048_576,
                chunked);
        assertEquals(413, sandbox.status(), sandbox.body());
        assertEquals("PAYLOAD_TOO_LARGE", McpSteps.readTree(sandbox.body()).at("/error/code").asText(), sandbox.body());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "both answered after " + took);
    }

    @Test
    void foreignOriginsAndHostsAreRefused() {
        // -32003, not MCP's -32002 ("resource not found"), so a client cannot mistake a refusal for a missing resource
        mcp().header("Origin", "http://evil.example").body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                .post("/mcp").then().statusCode(403).body("error.code", equalTo(-32003));
        mcp().header("Host", "evil.example").body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                .post("/mcp").then().statusCode(403);
        initialize(mcp().header("Origin", "http://localhost:3000"));
    }

    @Test
    void aSessionActsForOneWorkerOnly() {
        String alice = "alice-" + UUID.randomUUID();
        String session = initialize(mcp());
        call(session, 1, "allocate_single_resource", "{\"worker_id\": \"" + alice + "\", \"resource_type\": \"vm_pyautogui\"}")
                .then().body("result.isError", equalTo(false));
        String resourceId = call(session, 2, "renew_resources", "{}").then().extract().path("result.structuredContent.details.keySet()[0]");
        call(session, 3, "release_batch_resources", "{\"worker_id\": \"mallory\"}").then()
                .body("result.isError", equalTo(true)).body("result.structuredContent.error.code", equalTo("WORKER_MISMATCH"));

        // another session, bound to another worker, cannot release, set up or drive alice's desktop
        String mallory = "mallory-" + UUID.randomUUID();
        String other = initialize(mcp());
        // a successful call binds the session (a refused first call would leave it unbound)
        call(other, 0, "renew_resources", "{\"worker_id\": \"" + mallory + "\"}").then().body("result.isError", equalTo(false));
        call(other, 1, "release_batch_resources", "{\"worker_id\": \"" + mallory + "\", \"resource_ids\": [\"" + resourceId + "\"]}")
                .then().body("result.isError", equalTo(true)).body("result.structuredContent.error.code", equalTo("NOT_LEASE_HOLDER"));
        call(other, 2, "setup_batch_resources", "{\"allocated_resources\": {\"vm_pyautogui\": {\"id\": \"" + resourceId
                + "\", \"ip\": \"127.0.0.1\", \"port\": 1}}}").then()
                .body("result.structuredContent.error.code", equalTo("WORKER_MISMATCH"));
        call(other, 3, "computer", "{\"action\": \"screenshot\"}").then()
                .body("result.structuredContent.error.code", equalTo("NO_SUCH_RESOURCE"));

        String leases = TestCluster.get().allocatorCall("GET", "/leases?worker_id=" + alice, null).body();
        assertEquals(1, McpSteps.readTree(leases).size(), leases);
        call(session, 4, "release_batch_resources", "{}").then().body("result.isError", equalTo(false));
    }
}

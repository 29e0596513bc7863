package io.envgrid.gateway.security;

import static io.envgrid.gateway.security.TokenAuth.OPS;
import static io.envgrid.gateway.security.TokenAuth.SECRET;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.envgrid.gateway.id.KeyPart;
import io.envgrid.gateway.support.McpClient;
import io.envgrid.gateway.support.McpHttp;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Worker identity is authenticated: a token for principal {@code job42} (prefix {@code job42/})
 * cannot bind, allocate, release, renew, set up or act as a worker outside its prefix through MCP
 * (both transports, the official SDK client) or the Sandbox API — 403 {@code WORKER_NOT_ENTITLED}
 * with the envelope, and the allocator's leases and the gateway's Redis keys are as before. Ids
 * outside the id rule are refused (400 {@code INVALID_ID}) before a session is bound; ids with
 * {@code / : @ .} work end to end.
 */
@QuarkusTest
@WithCluster
@TestProfile(TokenAuth.class)
class WorkerEntitlementTest {

    static final String VICTIM = "job43/w1";

    @TestHTTPResource("/mcp")
    URL mcp;

    @TestHTTPResource("/sse")
    URL sse;

    @Inject
    RedisDataSource redis;

    private final String job42 = TokenVerifier.mint("job42", List.of("job42/"), Instant.now().plusSeconds(600), SECRET);

    private static ValidatableResponse post(String token, String path, String body) {
        return given().header("Authorization", "Bearer " + token).contentType("application/json").body(body)
                .post(path).then();
    }

    /** The victim holds a desktop (opened by the operator token) that the job42 token must not touch. */
    @BeforeEach
    void victimHoldsADesktop() {
        post(OPS, "/session/create", "{\"worker_id\": \"" + VICTIM + "\", \"resource_type\": \"vm\"}").statusCode(200);
    }

    @AfterEach
    void victimGivesItBack() {
        post(OPS, "/session/destroy", "{\"worker_id\": \"" + VICTIM + "\", \"resource_type\": \"vm\"}");
        post(OPS, "/execute/batch", "{\"worker_id\": \"" + VICTIM + "\", \"actions\": [{\"action\": \"vm:wait\"}]}");
    }

    /** What a refusal must not change: the allocator's leases and pool counts, the gateway's Redis keys. */
    private String state() {
        JsonNode leases = McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/leases", null).body());
        TreeSet<String> view = new TreeSet<>();
        leases.forEach(l -> view.add(l.path("resource_id").asText() + "|" + l.path("worker_id").asText() + "|"
                + l.path("lease_id").asText()));
        JsonNode stats = McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/stats", null).body());
        TreeSet<String> keys = new TreeSet<>(redis.key().keys("{envgrid-gw}:*"));
        keys.removeIf(k -> k.endsWith("keepalive-lock") || k.contains(":session:"));
        return view + "\n" + stats.path("types") + "\n" + keys;
    }

    /** The state without the MCP session book-keeping of job42's own (allowed) sessions. */
    private static String withoutJob42Sessions(String state) {
        // the caller's session is also listed under its token (ended asynchronously, as above)
        return state.replaceAll(", \\{envgrid-gw}:worker:job42/[^,\\]]*:sessions", "")
                .replaceAll(", \\{envgrid-gw}:token:[^,\\]]*:sessions", "")
                .replace(", {envgrid-gw}:workers", "").replace(", {envgrid-gw}:sessions", "");
    }

    private static JsonNode victimLeases() {
        return McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/leases?worker_id="
                + KeyPart.pathSegment(VICTIM), null).body());
    }

    @Test
    void theSandboxApiActsOnlyForEntitledWorkers() {
        assertEquals(1, victimLeases().size());
        String before = state();
        String foreign = "{\"worker_id\": \"" + VICTIM + "\"";
        for (String[] call : List.of(
                new String[] {"/session/create", foreign + ", \"resource_type\": \"vm\"}"},
                new String[] {"/session/destroy", foreign + ", \"resource_type\": \"vm\"}"},
                new String[] {"/session/list", foreign + "}"},
                new String[] {"/execute", foreign + ", \"action\": \"vm:screenshot\"}"},
                new String[] {"/execute", foreign + ", \"action\": \"vm:pyautogui\", \"params\": {\"code\": \"pass\"}}"},
                new String[] {"/execute/batch", foreign + ", \"actions\": [{\"action\": \"vm:wait\"}]}"})) {
            post(job42, call[0], call[1]).statusCode(403).body("error.code", equalTo("WORKER_NOT_ENTITLED"))
                    .body("error.message", notNullValue()).body("error.timestamp", notNullValue())
                    .body("error.details.worker_id", equalTo(VICTIM));
        }
        assertEquals(before, state());
        assertEquals(1, victimLeases().size());
    }

    @Test
    void badIdsAreRefusedOnTheSandboxApiBeforeAnything() {
        String before = state();
        for (String bad : List.of("", "bad id", "../x", "/abs", "a\\u0000b", "é", "x".repeat(201), "job42/ x")) {
            String worker = "\"worker_id\": \"" + bad + "\"";
            post(OPS, "/session/create", "{" + worker + ", \"resource_type\": \"vm\"}").statusCode(400)
                    .body("error.code", equalTo("INVALID_ID"));
            post(OPS, "/execute", "{" + worker + ", \"action\": \"vm:screenshot\"}").statusCode(400)
                    .body("error.code", equalTo("INVALID_ID"));
            post(OPS, "/execute/batch", "{" + worker + ", \"actions\": [{\"action\": \"fetch\", \"params\": "
                    + "{\"url\": \"http://127.0.0.1:1/\"}}]}").statusCode(400).body("error.code", equalTo("INVALID_ID"));
        }
        post(OPS, "/session/create", "{\"worker_id\": \"job42/ok\", \"resource_type\": \"vm:x\"}").statusCode(400)
                .body("error.code", equalTo("INVALID_ID"));
        assertEquals(before, state());
    }

    @Test
    void aBatchWithoutItsWorkerRunsNothing() {
        double fetchesBefore = fetchCalls();
        String actions = "\"actions\": [{\"action\": \"fetch\", \"params\": {\"url\": \"http://127.0.0.1:1/\"}}, "
                + "{\"action\": \"vm:screenshot\"}]";
        String before = state();
        post(OPS, "/execute/batch", "{" + actions + "}").statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
        post(OPS, "/execute/batch", "{\"worker_id\": null, " + actions + "}").statusCode(400);
        post(OPS, "/execute/batch", "{\"worker_id\": 7, " + actions + "}").statusCode(400);
        post(OPS, "/execute", "{\"action\": \"vm:screenshot\"}").statusCode(400);
        assertEquals(before, state());
        assertEquals(fetchesBefore, fetchCalls(), "no action of a refused batch ran");
    }

    /** How many fetch calls the Sandbox executor has run (its timer counts every run, whatever the outcome). */
    private static double fetchCalls() {
        String metrics = given().header("Authorization", "Bearer " + OPS).get("/q/metrics").asString();
        var m = Pattern.compile("envgrid_gateway_sandbox_calls_seconds_count\\{[^}]*tool=\"fetch\"[^}]*} ([0-9.E]+)")
                .matcher(metrics);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }

    @Test
    void specialCharacterIdsWorkEndToEndThroughTheSandboxApi() {
        String worker = "job42/w:1@host.example-x_y";
        String body = "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}";
        post(job42, "/session/create", body).statusCode(200).body("created", equalTo(true));
        post(job42, "/session/list", "{\"worker_id\": \"" + worker + "\"}").statusCode(200).body("count", equalTo(1));
        post(job42, "/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:cursor_position\"}").statusCode(200)
                .body("success", equalTo(true)).body("temporary_session", equalTo(false));
        JsonNode held = McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/leases?worker_id="
                + KeyPart.pathSegment(worker), null).body());
        assertEquals(1, held.size(), held.toString());
        assertEquals(worker, held.get(0).path("worker_id").asText());
        // a worker whose id only looks like a Redis key part of this one shares nothing with it
        post(job42, "/session/list", "{\"worker_id\": \"job42/w\"}").statusCode(200).body("count", equalTo(0));
        post(job42, "/session/destroy", body).statusCode(200).body("destroyed", equalTo(true));
        assertEquals(0, McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/leases?worker_id="
                + KeyPart.pathSegment(worker), null).body()).size());
    }

    @Test
    void mcpActsOnlyForEntitledWorkersOnBothTransports() {
        for (String transport : List.of("streamable", "sse")) {
            String mine = "job42/" + transport + ":w@1.x";
            String before = state();
            ArrayNode steps = McpClient.steps();
            McpSteps.call(steps, "allocate_batch_resources").put("worker_id", VICTIM).putArray("resource_types").add("vm_pyautogui");
            McpSteps.call(steps, "release_batch_resources").put("worker_id", VICTIM);
            McpSteps.call(steps, "renew_resources").put("worker_id", VICTIM);
            McpSteps.call(steps, "setup_batch_resources").put("worker_id", VICTIM);
            McpSteps.call(steps, "get_batch_initial_observations").put("worker_id", VICTIM);
            McpSteps.call(steps, "computer").put("worker_id", VICTIM).put("action", "screenshot");
            McpSteps.call(steps, "pyautogui").put("worker_id", VICTIM).put("code", "pass");
            McpSteps.call(steps, "evaluate_task").put("worker_id", VICTIM).putObject("evaluator").put("func", "exact_match");
            McpSteps.call(steps, "device.status").put("worker_id", VICTIM);
            McpSteps.call(steps, "allocate_batch_resources").put("worker_id", "bad id").putArray("resource_types").add("vm_pyautogui");
            McpSteps.call(steps, "release_batch_resources").put("worker_id", mine).putArray("resource_ids").add("../etc");
            int refused = steps.size();
            // none of the refusals bound the session: it still binds to the caller's own worker
            McpSteps.call(steps, "allocate_batch_resources").put("worker_id", mine).putArray("resource_types").add("vm_pyautogui");
            McpSteps.call(steps, "release_batch_resources");
            McpSteps.call(steps, "release_batch_resources").put("worker_id", VICTIM);
            List<JsonNode> out = McpClient.run((transport.equals("sse") ? sse : mcp).toString(), transport,
                    List.of("Authorization: Bearer " + job42), steps);
            assertTrue(out.get(0).path("ok").asBoolean(), out.toString());
            for (int i = 1; i <= refused; i++) {
                JsonNode result = out.get(i).path("result");
                assertTrue(result.path("isError").asBoolean(), transport + " step " + i + ": " + out.get(i));
                String expected = i >= refused - 1 ? "INVALID_ID" : "WORKER_NOT_ENTITLED";
                assertEquals(expected, result.path("structuredContent").path("error").path("code").asText(),
                        transport + " step " + i + ": " + out.get(i));
            }
            JsonNode granted = McpSteps.structured(out.get(refused + 1));
            String resource = granted.path("vm_pyautogui").path("id").asText();
            assertFalse(resource.isEmpty(), granted.toString());
            assertEquals("released", McpSteps.structured(out.get(refused + 2)).path("details").path(resource).asText());
            // bound to its own worker now; naming the victim is still a matter of entitlement first
            assertEquals("WORKER_NOT_ENTITLED", out.get(refused + 3).path("result").path("structuredContent").path("error")
                    .path("code").asText(), out.get(refused + 3).toString());
            assertEquals(1, victimLeases().size());
            // the caller's own MCP session (ended asynchronously once the client closed) aside, nothing changed
            assertEquals(withoutJob42Sessions(before), withoutJob42Sessions(state()), transport);
            assertFalse(redis.set(String.class).sismember("{envgrid-gw}:workers", VICTIM), "never bound to the victim");
        }
    }

    /**
     * Another principal's valid token with a victim's session id gets 404 (as for an unknown
     * session) on every request of either transport: a call, a cancellation, the standalone
     * stream, DELETE, a legacy {@code /messages} post; the session stays bound and usable by its
     * own principal.
     */
    @Test
    void aSessionServesOnlyThePrincipalThatOpenedIt() throws Exception {
        String session = McpHttp.initialize(McpHttp.mcp().header("Authorization", "Bearer " + job42));
        String worker = "job42/bound";
        McpHttp.mcp().header("Authorization", "Bearer " + job42).header("Mcp-Session-Id", session)
                .body(McpHttp.callBody(2, "renew_resources", "{\"worker_id\": \"" + worker + "\"}")).post("/mcp").then()
                .statusCode(200).body("result.isError", equalTo(false));
        String job43 = TokenVerifier.mint("job43", List.of("job43/"), Instant.now().plusSeconds(600), SECRET);
        for (String token : List.of(job43, OPS)) {
            McpHttp.mcp().header("Authorization", "Bearer " + token).header("Mcp-Session-Id", session)
                    .body(McpHttp.callBody(3, "release_batch_resources", "{}")).post("/mcp")
                    .then().statusCode(404).body("error.code", equalTo(-32001));
            McpHttp.mcp().header("Authorization", "Bearer " + token).header("Mcp-Session-Id", session)
                    .body("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":2}}")
                    .post("/mcp").then().statusCode(404);
            McpHttp.mcp().header("Authorization", "Bearer " + token).header("Mcp-Session-Id", session)
                    .accept("text/event-stream").get("/mcp").then().statusCode(404);
            McpHttp.mcp().header("Authorization", "Bearer " + token).header("Mcp-Session-Id", session).delete("/mcp")
                    .then().statusCode(404);
        }
        assertTrue(redis.set(String.class).sismember("{envgrid-gw}:workers", worker), "still bound, still live");
        McpHttp.mcp().header("Authorization", "Bearer " + job42).header("Mcp-Session-Id", session)
                .body(McpHttp.callBody(4, "renew_resources", "{}")).post("/mcp").then()
                .statusCode(200).body("result.isError", equalTo(false));
        McpHttp.mcp().header("Authorization", "Bearer " + job42).header("Mcp-Session-Id", session).delete("/mcp")
                .then().statusCode(204);

        // the legacy transport: the session id travels in the query; another principal's post is unknown
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<Stream<String>> stream = client.send(HttpRequest.newBuilder(sse.toURI())
                .header("Authorization", "Bearer " + job42).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = stream.body()) {
            String endpoint = lines.filter(l -> l.startsWith("data: /messages")).findFirst().orElseThrow()
                    .substring("data: ".length());
            post(job43, endpoint, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").statusCode(404);
            post(job43, endpoint, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}")
                    .statusCode(404);
            post(job42, endpoint, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").statusCode(202);
        }
    }
}

package io.envgrid.gateway.mcp.session;

import static io.envgrid.gateway.support.McpHttp.call;
import static io.envgrid.gateway.support.McpHttp.initialize;
import static io.envgrid.gateway.support.McpHttp.mcp;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpClient;
import io.envgrid.gateway.support.McpHttp;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.RawSocket;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.Socket;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * No leaked leases: a session's end (DELETE, or idle timeout) releases what its worker holds, a
 * live session keeps its worker's leases renewed, an expiry the allocator publishes is forgotten,
 * and a cancelled allocation leaves nothing behind.
 */
@QuarkusTest
@WithCluster
@TestProfile(SessionLifecycleTest.ShortTimeouts.class)
class SessionLifecycleTest {

    /**
     * Short idle timeout and keep-alive period, so the behaviour shows within seconds. The idle
     * timeout still outlasts a session left alone while another client (the SDK, a Node process
     * that starts slowly on a loaded machine) works: at 8 s, such a session idled out under load.
     */
    public static class ShortTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.gateway.mcp.session-idle-timeout", "20s",
                    "envgrid.gateway.leases.keepalive-interval", "1s",
                    "envgrid.gateway.mcp.progress-interval", "200ms");
        }
    }

    @TestHTTPResource("/mcp")
    URL mcp;

    @Inject
    RedisDataSource redis;

    private static JsonNode leases(String worker) {
        return TestCluster.get().leasesOf(worker);
    }

    private static String allocate(String session, String worker, int timeoutSeconds) {
        return call(session, 1, "allocate_single_resource", "{\"worker_id\": \"" + worker
                + "\", \"resource_type\": \"vm_pyautogui\", \"timeout\": " + timeoutSeconds + "}")
                .then().body("result.isError", equalTo(false))
                .extract().path("result.structuredContent.vm_pyautogui.id");
    }

    @Test
    void deletingTheSessionReleasesTheWorkersLeases() {
        String worker = "deleted-" + UUID.randomUUID();
        String session = initialize(mcp());
        allocate(session, worker, 600);
        assertEquals(1, leases(worker).size());
        mcp().header("Mcp-Session-Id", session).delete("/mcp").then().statusCode(204);
        Conditions.await("leases released", Duration.ofSeconds(10), () -> leases(worker).isEmpty());
    }

    @Test
    void aWorkersLastSessionEndingReleasesNotAnEarlierOne() {
        String worker = "two-sessions-" + UUID.randomUUID();
        String first = initialize(mcp());
        String second = initialize(mcp());
        allocate(first, worker, 600);
        call(second, 1, "renew_resources", "{\"worker_id\": \"" + worker + "\"}").then().body("result.isError", equalTo(false));
        mcp().header("Mcp-Session-Id", first).delete("/mcp").then().statusCode(204);
        call(second, 2, "renew_resources", "{}").then().body("result.isError", equalTo(false));
        assertEquals(1, leases(worker).size(), "the worker still has a live session");
        mcp().header("Mcp-Session-Id", second).delete("/mcp").then().statusCode(204);
        Conditions.await("leases released", Duration.ofSeconds(10), () -> leases(worker).isEmpty());
    }

    @Test
    void anIdleSessionEndsAndItsLeasesAreReleased() {
        String worker = "idle-" + UUID.randomUUID();
        String session = initialize(mcp());
        allocate(session, worker, 600);
        Conditions.await("idle session swept", Duration.ofSeconds(60), () -> leases(worker).isEmpty());
        mcp().header("Mcp-Session-Id", session).body("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}")
                .post("/mcp").then().statusCode(404);
    }

    @Test
    void aLiveSessionKeepsItsLeasesRenewed() {
        String worker = "kept-" + UUID.randomUUID();
        String session = initialize(mcp());
        allocate(session, worker, 20);
        // the lease's own end, counted from its grant: its expires_at as read after the call may already be a
        // renewal's, since the worker is live from the call's start and a round (each second) can renew the lease
        // before the answer is read (a 2-4 s first call on a loaded machine). Taken as the baseline, such an expiry
        // asked for a second renewal 60 s later, and the test timed out with the keep-alive working.
        Instant first = Instant.parse(leases(worker).get(0).path("granted_at").asText()).plusSeconds(20);
        // pings keep the session alive; the lease (20 s) outlives its own length only through renewals (each second,
        // for 600 s). 20 s, not 5 s: on a loaded machine one round over every live worker of the test run (hundreds,
        // each a call to the allocator) took longer than 5 s in a clean-clone run
        Instant renewed = pingUntilLeaseEndsAfter(session, worker, first.plusSeconds(60), "lease renewed past its first expiry");
        // kept renewed, not renewed once: a later round moves the end again
        pingUntilLeaseEndsAfter(session, worker, renewed, "lease renewed again");
        mcp().header("Mcp-Session-Id", session).delete("/mcp").then().statusCode(204);
    }

    /** Pings the session (which keeps it alive) until the worker's one lease ends after {@code after}; answers that end. */
    private Instant pingUntilLeaseEndsAfter(String session, String worker, Instant after, String what) {
        Instant[] seen = new Instant[1];
        Conditions.await(what, Duration.ofSeconds(30), () -> {
            mcp().header("Mcp-Session-Id", session).body("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}").post("/mcp");
            JsonNode live = leases(worker);
            if (live.size() != 1) {
                return false;
            }
            seen[0] = Instant.parse(live.get(0).path("expires_at").asText());
            return seen[0].isAfter(after);
        });
        return seen[0];
    }

    @Test
    void anExpiredLeaseIsForgottenByTheGateway() {
        String worker = "expired-" + UUID.randomUUID();
        String session = initialize(mcp());
        String resourceId = allocate(session, worker, 600);
        // the allocator revokes the lease (an operator's forced delete), publishing it like an expiry
        TestCluster.get().allocatorCall("DELETE", "/resources/" + resourceId + "?force=true", null);
        Conditions.await("gateway forgot the revoked desktop", Duration.ofSeconds(10), () -> "NO_SUCH_RESOURCE".equals(
                call(session, 2, "computer", "{\"action\": \"screenshot\"}").path("result.structuredContent.error.code")));
        TestCluster.get().register(resourceId, "vm_pyautogui", "{\"ip\": \"127.0.0.1\", \"port\": "
                + TestCluster.get().desktops().get(Integer.parseInt(resourceId.substring("desktop-".length()))).port() + "}");
        mcp().header("Mcp-Session-Id", session).delete("/mcp").then().statusCode(204);
    }

    @Test
    void aCancelledWaitingAllocationLeavesNothingBehind() {
        TestCluster.get().register("queue-1", "vm_queue", "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String holder = "holder-" + UUID.randomUUID();
        String session = initialize(mcp());
        call(session, 1, "allocate_single_resource", "{\"worker_id\": \"" + holder + "\", \"resource_type\": \"vm_queue\"}")
                .then().body("result.isError", equalTo(false));

        String waiter = "waiter-" + UUID.randomUUID();
        ArrayNode steps = McpClient.steps();
        var args = McpSteps.call(steps, "allocate_single_resource");
        args.put("worker_id", waiter).put("resource_type", "vm_queue").put("wait_ms", 20_000);
        ((com.fasterxml.jackson.databind.node.ObjectNode) steps.get(0)).put("progress", true).put("abortAfterMs", 1500);
        List<JsonNode> out = McpClient.run(mcp.toString(), "streamable", List.of(), steps);
        assertFalse(out.get(1).path("ok").asBoolean(), "the call was aborted: " + out.get(1));

        call(session, 2, "release_batch_resources", "{}").then().body("result.isError", equalTo(false));
        // the freed resource must not go to the cancelled waiter (whose session is still alive: it
        // idles out only after 20 s, which would release a wrongly granted lease too late for this check)
        Conditions.await("queue resource free", Duration.ofSeconds(3), () -> McpSteps.readTree(TestCluster.get()
                .allocatorCall("GET", "/resources/queue-1", null).body()).path("state").asText().equals("free"));
        assertTrue(leases(waiter).isEmpty(), leases(waiter).toString());
        mcp().header("Mcp-Session-Id", session).delete("/mcp").then().statusCode(204);
    }

    /** A worker holding the one resource of {@code type}, and another session's call waiting for it on an open socket. */
    private record Queued(String holderSession, String waiter, String waiterSession, String queue, Socket client) {
    }

    private Queued queueBehindAHolder(String resourceId, String type, long waitMs) throws Exception {
        TestCluster.get().register(resourceId, type, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String holderSession = initialize(mcp());
        call(holderSession, 1, "allocate_single_resource", "{\"worker_id\": \"holder-" + UUID.randomUUID()
                + "\", \"resource_type\": \"" + type + "\"}").then().body("result.isError", equalTo(false));
        String waiter = "waiter-" + UUID.randomUUID();
        String waiterSession = initialize(mcp());
        String body = McpHttp.callBody(7, "allocate_single_resource", "{\"worker_id\": \"" + waiter
                + "\", \"resource_type\": \"" + type + "\", \"wait_ms\": " + waitMs + "}");
        String queue = "{envgrid}:q:" + type;
        Socket client = RawSocket.post(mcp, "/mcp", Map.of("Accept", "application/json, text/event-stream",
                "MCP-Protocol-Version", "2025-11-25", "Mcp-Session-Id", waiterSession), body);
        Conditions.await("the waiter is queued", Duration.ofSeconds(10), () -> redis.sortedSet(String.class).zcard(queue) == 1);
        return new Queued(holderSession, waiter, waiterSession, queue, client);
    }

    /** The holder gives the resource back: it must go to nobody, the waiter having been withdrawn. */
    private void releasedToNobody(Queued queued, String resourceId) {
        call(queued.holderSession(), 2, "release_batch_resources", "{}").then().body("result.isError", equalTo(false));
        Conditions.await("queue resource free", Duration.ofSeconds(3), () -> McpSteps.readTree(TestCluster.get()
                .allocatorCall("GET", "/resources/" + resourceId, null).body()).path("state").asText().equals("free"));
        assertTrue(leases(queued.waiter()).isEmpty(), leases(queued.waiter()).toString());
        mcp().header("Mcp-Session-Id", queued.holderSession()).delete("/mcp").then().statusCode(204);
    }

    /**
     * A waiting allocation whose client closed the connection is a cancellation: the allocator
     * withdraws the waiter, and the resource freed afterwards is not leased to the gone client's
     * worker (whose session is still alive and would keep such a lease renewed).
     */
    @Test
    void aWaitingAllocationWhoseClientWentAwayIsWithdrawn() throws Exception {
        Queued queued = queueBehindAHolder("gone-1", "vm_gone", 20_000);
        queued.client().close();
        Conditions.await("the gone client's waiter withdrawn", Duration.ofSeconds(10),
                () -> redis.sortedSet(String.class).zcard(queued.queue()) == 0);
        releasedToNobody(queued, "gone-1");
        mcp().header("Mcp-Session-Id", queued.waiterSession()).delete("/mcp").then().statusCode(204);
    }

    /**
     * A session that idles out while one of its calls waits in the allocator's queue (its client
     * still connected) ends like a deleted one: the call is cancelled, its waiter withdrawn long
     * before its {@code wait_ms}, and the resource freed afterwards goes to nobody.
     */
    @Test
    void anIdleTimeoutCancelsTheSessionsWaitingCalls() throws Exception {
        Queued queued = queueBehindAHolder("idle-q-1", "vm_idlewait", 120_000);
        try (Socket client = queued.client()) {
            // the holder's session stays in use; the waiter's only waits, and idles out after 20 s
            Conditions.await("the idle session's waiter withdrawn", Duration.ofSeconds(60), () -> {
                call(queued.holderSession(), 3, "renew_resources", "{}");
                return redis.sortedSet(String.class).zcard(queued.queue()) == 0;
            });
            // the exchange still open gets its end: the call's cancellation as a JSON-RPC error
            String answer = RawSocket.read(client, "request cancelled", Duration.ofSeconds(10));
            assertTrue(answer.contains("\"code\":" + JsonRpc.REQUEST_CANCELLED), "the open call's answer: " + answer);
        }
        mcp().header("Mcp-Session-Id", queued.waiterSession()).body("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}")
                .post("/mcp").then().statusCode(404);
        releasedToNobody(queued, "idle-q-1");
    }

    @Test
    void longAllocationsReportProgress() {
        TestCluster.get().register("queue-2", "vm_progress", "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String holder = "holder-" + UUID.randomUUID();
        String session = initialize(mcp());
        call(session, 1, "allocate_single_resource", "{\"worker_id\": \"" + holder + "\", \"resource_type\": \"vm_progress\"}")
                .then().body("result.isError", equalTo(false));
        String waiter = "waiter-" + UUID.randomUUID();
        ArrayNode steps = McpClient.steps();
        McpSteps.call(steps, "allocate_single_resource").put("worker_id", waiter).put("resource_type", "vm_progress")
                .put("wait_ms", 1500);
        ((com.fasterxml.jackson.databind.node.ObjectNode) steps.get(0)).put("progress", true);
        List<JsonNode> out = McpClient.run(mcp.toString(), "streamable", List.of(), steps);
        JsonNode result = out.get(1).path("result");
        assertTrue(result.path("isError").asBoolean(), "the pool stayed busy: " + result);
        assertEquals("INSUFFICIENT_RESOURCES", result.path("structuredContent").path("error").path("code").asText());
        assertTrue(result.path("progress").size() >= 2, "progress notifications: " + result.path("progress"));
        call(session, 2, "release_batch_resources", "{}").then().body("result.isError", equalTo(false));
        mcp().header("Mcp-Session-Id", session).delete("/mcp").then().statusCode(204);
    }
}

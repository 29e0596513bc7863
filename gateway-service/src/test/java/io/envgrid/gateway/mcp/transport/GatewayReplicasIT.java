package io.envgrid.gateway.mcp.transport;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.gateway.support.PackagedApps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpClient;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.McpStream;
import io.envgrid.gateway.support.RoundRobinProxy;
import io.envgrid.gateway.support.TestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two packaged gateway replicas behind a proxy that alternates between them on every request,
 * with no session affinity: sessions, worker binding, legacy SSE streams and cleanup must work
 * whichever replica a request reaches; so must the Sandbox API's explicit sessions.
 */
class GatewayReplicasIT {

    private static PackagedApp first;
    private static PackagedApp second;
    private static RoundRobinProxy proxy;

    @BeforeAll
    static void start() {
        TestCluster cluster = TestCluster.get();
        Map<String, String> config = Map.of(
                "envgrid.gateway.auth", "open",
                "quarkus.redis.hosts", cluster.redisUrl(),
                "envgrid.allocator.url", cluster.allocatorUrl(),
                "envgrid.vm-controller.url", cluster.vmControllerUrl(),
                // long enough that a session waiting for its notifications, which touch nothing (and a request
                // stamps its session at most once a second per replica), is not swept on a slow runner before they
                // arrive; short enough for the abandoned session's cleanup within its wait
                "envgrid.gateway.mcp.session-idle-timeout", "10s",
                "envgrid.gateway.mcp.sweep-interval", "500ms",
                // the standalone stream checks on each keep-alive that its session still lives
                "envgrid.gateway.mcp.sse-keep-alive", "1s");
        first = PackagedApps.start("gateway-1", "gateway-service", config);
        second = PackagedApps.start("gateway-2", "gateway-service", config);
        proxy = new RoundRobinProxy(List.of(first.port(), second.port()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        first.close();
        second.close();
    }

    private static JsonNode leases(String worker) {
        return McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/leases?worker_id=" + worker, null).body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void theSeedFlowWorksWhicheverReplicaEachRequestReaches(String transport) {
        long before0 = proxy.served(0);
        long before1 = proxy.served(1);
        String worker = "replicas-" + transport + "-" + UUID.randomUUID();
        ArrayNode steps = McpClient.steps();
        steps.addObject().put("op", "listTools");
        McpSteps.call(steps, "allocate_batch_resources").put("worker_id", worker).putArray("resource_types")
                .add("vm_pyautogui").add("vm_pyautogui");
        McpSteps.call(steps, "setup_batch_resources");
        McpSteps.call(steps, "get_batch_initial_observations");
        for (int i = 0; i < 4; i++) {
            McpSteps.call(steps, "computer").put("action", "cursor_position");
            McpSteps.call(steps, "renew_resources");
        }
        McpSteps.call(steps, "release_batch_resources");
        String path = transport.equals("sse") ? "/sse" : "/mcp";
        List<JsonNode> out = McpClient.run("http://127.0.0.1:" + proxy.port() + path, transport, List.of(), steps);

        for (JsonNode line : out) {
            assertTrue(line.path("ok").asBoolean(), line.toString());
        }
        JsonNode allocation = McpSteps.structured(out.get(2));
        assertEquals(2, allocation.size(), allocation.toString());
        assertEquals("success", McpSteps.structured(out.get(3)).path("status").asText());
        assertEquals(2, McpSteps.structured(out.get(4)).size());
        // the cursor reads name no worker: the binding made on one replica is seen by the other;
        // with two desktops the call must say which one, so it is refused the same way on both
        for (int i = 5; i < 13; i += 2) {
            assertEquals("INVALID_PARAMETERS", out.get(i).path("result").path("structuredContent").path("error")
                    .path("code").asText(), out.get(i).toString());
            assertFalse(McpSteps.structured(out.get(i + 1)).path("details").isEmpty());
        }
        assertEquals("completed", McpSteps.structured(out.get(13)).path("status").asText());
        assertTrue(leases(worker).isEmpty());
        assertTrue(proxy.served(0) - before0 >= 5 && proxy.served(1) - before1 >= 5,
                "both replicas served the session: " + (proxy.served(0) - before0) + " / " + (proxy.served(1) - before1));
    }

    private static JsonNode sandbox(String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode answer = McpSteps.readTree(response.body());
            ((com.fasterxml.jackson.databind.node.ObjectNode) answer).put("http_status", response.statusCode());
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sandboxSessionsWorkWhicheverReplicaEachRequestReaches() {
        long before0 = proxy.served(0);
        long before1 = proxy.served(1);
        String worker = "replicas-sandbox-" + UUID.randomUUID();
        String who = "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"";
        JsonNode created = sandbox("/session/create", who + "}");
        assertEquals(true, created.path("created").asBoolean(), created.toString());
        for (int i = 0; i < 4; i++) {
            JsonNode result = sandbox("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:cursor_position\"}");
            assertEquals(created.path("session_id").asText(), result.path("session_id").asText(), result.toString());
            assertFalse(result.path("temporary_session").asBoolean());
            assertEquals(false, sandbox("/session/create", who + "}").path("created").asBoolean());
        }
        assertEquals(1, sandbox("/session/list", "{\"worker_id\": \"" + worker + "\"}").path("count").asInt());
        assertEquals(1, leases(worker).size());
        assertTrue(sandbox("/session/destroy", who + "}").path("destroyed").asBoolean());
        assertEquals(404, sandbox("/session/destroy", who + "}").path("http_status").asInt(), "ended on either replica");
        assertTrue(leases(worker).isEmpty());
        assertTrue(proxy.served(0) - before0 >= 5 && proxy.served(1) - before1 >= 5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void anAbandonedSessionIsCleanedUpByAReplica(String transport) {
        String worker = "abandoned-" + transport + "-" + UUID.randomUUID();
        ArrayNode steps = McpClient.steps();
        McpSteps.call(steps, "allocate_single_resource").put("worker_id", worker).put("resource_type", "vm_pyautogui");
        McpSteps.call(steps, "setup_batch_resources");
        String path = transport.equals("sse") ? "/sse" : "/mcp";
        // the client exits without DELETE: a crashed agent
        List<JsonNode> out = McpClient.run("http://127.0.0.1:" + proxy.port() + path, transport, List.of(), steps);
        McpSteps.structured(out.get(1));
        Conditions.await("leases of the abandoned session released", Duration.ofSeconds(30), () -> leases(worker).isEmpty());
    }

    /**
     * The session's standalone stream is held by one replica while every request goes to the other:
     * log messages and resource notifications raised there still arrive (relayed through Redis), and
     * ending the session there ends the stream here.
     */
    @Test
    void notificationsReachTheStreamOnTheOtherReplica() {
        String worker = "replicas-notify-" + UUID.randomUUID();
        String requests = "http://localhost:" + second.port() + "/mcp";
        McpStream client = McpStream.initialize(requests).openStream("http://localhost:" + first.port() + "/mcp");
        try {
            client.request("logging/setLevel", "{\"level\":\"info\"}");
            client.request("resources/subscribe", "{\"uri\":\"envgrid://worker/leases\"}");
            JsonNode granted = client.request("tools/call", "{\"name\":\"allocate_single_resource\",\"arguments\":{\"worker_id\":\""
                    + worker + "\",\"resource_type\":\"vm_pyautogui\",\"wait_ms\":1000}}");
            assertFalse(granted.path("result").path("isError").asBoolean(true), granted.toString());
            Duration wait = Duration.ofSeconds(15);
            client.await("queued, from the other replica", wait, McpStream.message("notifications/message", "allocation.queued"));
            client.await("leases updated", wait, McpStream.message("notifications/resources/updated", "envgrid://worker/leases"));
            client.await("list changed", wait, McpStream.message("notifications/resources/list_changed", null));
            client.request("tools/call", "{\"name\":\"release_batch_resources\",\"arguments\":{}}");
        } finally {
            client.close();
        }
        Conditions.await("the stream on the first replica ends with the session", Duration.ofSeconds(10), client::streamEnded);
    }

    /**
     * A client that lost its stream on the first replica reconnects on the second: the second holds the session's
     * stream from then on, and the first noticing the old stream's close leaves that claim alone.
     */
    @Test
    void aStreamTakenOverOnTheOtherReplicaKeepsItsMessagesWhenTheOldOneCloses() {
        String worker = "replicas-takeover-" + UUID.randomUUID();
        String requests = "http://localhost:" + second.port() + "/mcp";
        McpStream lost = McpStream.initialize(requests).openStream("http://localhost:" + first.port() + "/mcp");
        McpStream reconnected = lost.sameSession().openStream("http://localhost:" + second.port() + "/mcp");
        try {
            lost.closeStream();
            JsonNode granted = reconnected.request("tools/call", "{\"name\":\"allocate_single_resource\",\"arguments\":{"
                    + "\"worker_id\":\"" + worker + "\",\"resource_type\":\"vm_pyautogui\"}}");
            assertFalse(granted.path("result").path("isError").asBoolean(true), granted.toString());
            Duration wait = Duration.ofSeconds(15);
            reconnected.await("list changed on the second replica's stream", wait,
                    McpStream.message("notifications/resources/list_changed", null));
            reconnected.request("tools/call", "{\"name\":\"release_batch_resources\",\"arguments\":{}}");
            Conditions.await("list changed again after the release", wait, () -> reconnected.received().stream()
                    .filter(McpStream.message("notifications/resources/list_changed", null)).count() >= 2);
        } finally {
            reconnected.close();
        }
    }
}

package io.envgrid.gateway.mcp.surface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.FakeDesktop;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.McpStream;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The MCP server features beyond tools, over the wire: capabilities, prompts, completion,
 * resources of a worker's leases, and what arrives on the standalone stream — log messages for
 * queueing, renewals and reclaimed leases at the session's level, resource updates for
 * subscriptions and list changes.
 */
@QuarkusTest
@WithCluster
class ServerFeaturesTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TestHTTPResource("/mcp")
    URL mcp;

    @Inject
    RedisDataSource redis;

    private JsonNode call(McpStream client, String tool, String args) {
        JsonNode answer = client.request("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + args + "}");
        assertFalse(answer.path("result").path("isError").asBoolean(true), answer.toString());
        return answer.path("result").path("structuredContent");
    }

    @Test
    void capabilitiesNameExactlyWhatIsServed() {
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            JsonNode capabilities = client.initializeResult().path("result").path("capabilities");
            assertEquals(McpSteps.readTree("{\"logging\":{},\"completions\":{},\"prompts\":{\"listChanged\":false},"
                    + "\"resources\":{\"subscribe\":true,\"listChanged\":true},\"tools\":{\"listChanged\":true}}"), capabilities);
            for (String method : List.of("logging/setLevel", "resources/list", "resources/templates/list", "prompts/list")) {
                String params = method.equals("logging/setLevel") ? "{\"level\":\"debug\"}" : "{}";
                assertTrue(client.request(method, params).has("result"), method);
            }
            assertEquals(-32601, client.request("sampling/createMessage", "{}").path("error").path("code").asInt());
        }
    }

    @Test
    void promptsListAndGet() {
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            List<String> names = new ArrayList<>();
            client.request("prompts/list", "{}").path("result").path("prompts").forEach(p -> names.add(p.path("name").asText()));
            assertEquals(List.of("computer_use_pyautogui", "computer_use_computer_13", "computer_use_computer", "desktop_task"), names);

            JsonNode system = client.request("prompts/get", "{\"name\":\"computer_use_computer_13\"}").path("result");
            assertTrue(system.path("messages").path(0).path("content").path("text").asText().contains("DRAG_TO"), system.toString());

            JsonNode task = client.request("prompts/get", "{\"name\":\"desktop_task\",\"arguments\":{\"task\":\"Open the terminal\","
                    + "\"action_space\":\"pyautogui\",\"resource_id\":\"desktop-1\"}}").path("result");
            JsonNode messages = task.path("messages");
            assertTrue(messages.path(0).path("content").path("text").asText().contains("pyautogui.click"), task.toString());
            assertTrue(messages.path(1).path("content").path("text").asText().contains("Open the terminal"), task.toString());
            assertEquals("envgrid://desktops/desktop-1/screenshot", messages.path(2).path("content").path("uri").asText());
            assertEquals("resource_link", messages.path(2).path("content").path("type").asText());

            for (String bad : List.of("{\"name\":\"desktop_task\",\"arguments\":{}}", "{\"name\":\"nope\"}",
                    "{\"name\":\"desktop_task\",\"arguments\":{\"task\":\"x\",\"action_space\":\"mouse\"}}")) {
                assertEquals(-32602, client.request("prompts/get", bad).path("error").path("code").asInt(), bad);
            }
        }
    }

    @Test
    void completionDrawsFromTheWorkersLeases() {
        String worker = "complete-" + UUID.randomUUID();
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            assertEquals(List.of("computer", "computer_13"), values(client.request("completion/complete",
                    "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"desktop_task\"},\"argument\":{\"name\":\"action_space\",\"value\":\"Comp\"}}")));
            String desktop = call(client, "allocate_single_resource", "{\"worker_id\":\"" + worker
                    + "\",\"resource_type\":\"vm_pyautogui\"}").path("vm_pyautogui").path("id").asText();
            assertEquals(List.of(desktop), values(client.request("completion/complete",
                    "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"desktop_task\"},\"argument\":{\"name\":\"resource_id\",\"value\":\"desk\"}}")));
            assertEquals(List.of(desktop), values(client.request("completion/complete", "{\"ref\":{\"type\":\"ref/resource\","
                    + "\"uri\":\"envgrid://desktops/{resource_id}/screenshot\"},\"argument\":{\"name\":\"resource_id\",\"value\":\"\"}}")));
            assertEquals(List.of(), values(client.request("completion/complete", "{\"ref\":{\"type\":\"ref/resource\","
                    + "\"uri\":\"envgrid://desktops/{resource_id}/screenshot\"},\"argument\":{\"name\":\"resource_id\",\"value\":\"zz\"}}")));
            assertEquals(-32602, client.request("completion/complete", "{\"ref\":{\"type\":\"ref/tool\"},\"argument\":"
                    + "{\"name\":\"a\",\"value\":\"b\"}}").path("error").path("code").asInt());
            call(client, "release_batch_resources", "{}");
        }
    }

    private static List<String> values(JsonNode answer) {
        List<String> values = new ArrayList<>();
        answer.path("result").path("completion").path("values").forEach(v -> values.add(v.asText()));
        return values;
    }

    @Test
    void resourcesOfTheWorkerAndNothingElse() {
        String worker = "resources-" + UUID.randomUUID();
        try (McpStream client = McpStream.initialize(mcp.toString()); McpStream other = McpStream.initialize(mcp.toString())) {
            assertEquals(List.of("envgrid://worker/leases", "envgrid://rag/collections"), uris(client.request("resources/list", "{}")));
            JsonNode allocated = call(client, "allocate_single_resource", "{\"worker_id\":\"" + worker
                    + "\",\"resource_type\":\"vm_pyautogui\"}");
            String desktop = allocated.path("vm_pyautogui").path("id").asText();
            String screenshot = "envgrid://desktops/" + desktop + "/screenshot";
            assertTrue(uris(client.request("resources/list", "{}")).contains(screenshot));
            JsonNode notSetUp = client.request("resources/read", "{\"uri\":\"" + screenshot + "\"}").path("error");
            assertEquals(-32002, notSetUp.path("code").asInt(), notSetUp.toString());
            call(client, "setup_batch_resources", "{}");

            JsonNode shot = client.request("resources/read", "{\"uri\":\"" + screenshot + "\"}").path("result").path("contents").path(0);
            assertEquals("image/png", shot.path("mimeType").asText(), shot.toString());
            assertEquals(Base64.getEncoder().encodeToString(FakeDesktop.PNG), shot.path("blob").asText());

            JsonNode leases = McpSteps.readTree(client.request("resources/read", "{\"uri\":\"envgrid://worker/leases\"}")
                    .path("result").path("contents").path(0).path("text").asText());
            assertEquals(desktop, leases.path("leases").path("vm_pyautogui").path("id").asText(), leases.toString());
            assertFalse(leases.path("leases").path("vm_pyautogui").has("lease_token"), leases.toString());

            // another session (no worker, or another worker) cannot read this desktop
            assertEquals(-32002, other.request("resources/read", "{\"uri\":\"" + screenshot + "\"}").path("error").path("code").asInt());
            for (String unknown : List.of("envgrid://desktops/desktop-999/screenshot", "file:///etc/passwd",
                    "mcp://test-devices/devices/linux/gw-host")) {
                assertEquals(-32002, client.request("resources/read", "{\"uri\":\"" + unknown + "\"}").path("error").path("code")
                        .asInt(), unknown);
            }
            assertEquals(-32602, client.request("resources/read", "{}").path("error").path("code").asInt());
            assertEquals(3, client.request("resources/templates/list", "{}").path("result").path("resourceTemplates").size());
            call(client, "release_batch_resources", "{}");
        }
    }

    private static List<String> uris(JsonNode answer) {
        List<String> uris = new ArrayList<>();
        answer.path("result").path("resources").forEach(r -> uris.add(r.path("uri").asText()));
        return uris;
    }

    @Test
    void theStreamCarriesLogMessagesAndResourceUpdates() {
        String worker = "stream-" + UUID.randomUUID();
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            client.openStream(mcp.toString());
            assertEquals(-32602, client.request("logging/setLevel", "{\"level\":\"loud\"}").path("error").path("code").asInt());
            assertTrue(client.request("logging/setLevel", "{\"level\":\"info\"}").path("result").isEmpty());
            assertTrue(client.request("resources/subscribe", "{\"uri\":\"envgrid://worker/leases\"}").path("result").isEmpty());
            assertEquals(-32602, client.request("resources/subscribe", "{\"uri\":\"test://watched\"}").path("error").path("code").asInt());

            String desktop = call(client, "allocate_single_resource", "{\"worker_id\":\"" + worker
                    + "\",\"resource_type\":\"vm_pyautogui\",\"wait_ms\":2000}").path("vm_pyautogui").path("id").asText();
            JsonNode queued = client.await("queued", WAIT, McpStream.message("notifications/message", "allocation.queued"));
            assertEquals("info", queued.path("params").path("level").asText());
            assertEquals(worker, queued.path("params").path("data").path("worker_id").asText());
            client.await("leases updated", WAIT, McpStream.message("notifications/resources/updated", "envgrid://worker/leases"));
            client.await("list changed", WAIT, McpStream.message("notifications/resources/list_changed", null));

            String screenshot = "envgrid://desktops/" + desktop + "/screenshot";
            call(client, "setup_batch_resources", "{}");
            client.request("resources/subscribe", "{\"uri\":\"" + screenshot + "\"}");
            call(client, "computer", "{\"action\":\"left_click\",\"coordinate\":[3,4]}");
            client.await("screenshot updated", WAIT, McpStream.message("notifications/resources/updated", screenshot));

            // the keep-alive renews every 2 s in tests
            client.await("renewal logged", WAIT, McpStream.message("notifications/message", "leases.renewed"));

            // the allocator takes the lease back: as its expiry channel says
            redis.pubsub(String.class).publish("{envgrid}:ch:expired", "{\"worker_id\":\"" + worker + "\",\"resource_id\":\""
                    + desktop + "\",\"reason\":\"expired\"}");
            JsonNode reclaimed = client.await("reclaimed", WAIT, McpStream.message("notifications/message", "lease.reclaimed"));
            assertEquals("warning", reclaimed.path("params").path("level").asText());
            assertEquals(desktop, reclaimed.path("params").path("data").path("resource_id").asText());
            assertFalse(uris(client.request("resources/list", "{}")).contains(screenshot));

            // the allocator still has it (the expiry above was only announced): give it back by id
            call(client, "release_batch_resources", "{\"resource_ids\":[\"" + desktop + "\"]}");

            // above the session's level nothing more is sent: the queue and grant (info) after setLevel error
            client.request("logging/setLevel", "{\"level\":\"error\"}");
            int before = client.received().size();
            call(client, "allocate_single_resource", "{\"resource_type\":\"vm_pyautogui\",\"wait_ms\":1000}");
            Conditions.await("the grant's list change", WAIT, () -> client.received().subList(before, client.received().size())
                    .stream().anyMatch(McpStream.message("notifications/resources/list_changed", null)));
            assertTrue(client.received().subList(before, client.received().size()).stream()
                    .noneMatch(m -> "notifications/message".equals(m.path("method").asText())), client.received().toString());
            call(client, "release_batch_resources", "{}");
        }
    }

    /**
     * A Sandbox API action on a desktop changes it as an MCP one does: the worker's MCP sessions
     * subscribed to its screenshot are told.
     */
    @Test
    void aSandboxDesktopActionUpdatesTheScreenshotResource() {
        String worker = "sandbox-upd-" + UUID.randomUUID();
        String desktop = io.restassured.RestAssured.given().contentType("application/json")
                .body("{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}").post("/session/create")
                .then().statusCode(200).extract().path("resource.id");
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            client.openStream(mcp.toString());
            call(client, "renew_resources", "{\"worker_id\":\"" + worker + "\"}");
            String screenshot = "envgrid://desktops/" + desktop + "/screenshot";
            assertTrue(client.request("resources/subscribe", "{\"uri\":\"" + screenshot + "\"}").path("result").isEmpty());
            io.restassured.RestAssured.given().contentType("application/json").body("{\"worker_id\": \"" + worker
                    + "\", \"action\": \"vm:click\", \"params\": {\"x\": 3, \"y\": 4}}").post("/execute")
                    .then().statusCode(200);
            client.await("screenshot updated by the Sandbox action", WAIT,
                    McpStream.message("notifications/resources/updated", screenshot));
        } finally {
            io.restassured.RestAssured.given().contentType("application/json")
                    .body("{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}").post("/session/destroy");
        }
    }

    /**
     * A client that lost its standalone stream resumes it with {@code Last-Event-ID}: it gets what
     * was raised after that event (here while it had no stream), and nothing it had already.
     */
    @Test
    void theStandaloneStreamResumesAfterTheLastEventId() {
        String worker = "resume-" + UUID.randomUUID();
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            client.openStream(mcp.toString());
            assertTrue(client.request("resources/subscribe", "{\"uri\":\"envgrid://worker/leases\"}").path("result").isEmpty());
            call(client, "allocate_single_resource", "{\"worker_id\":\"" + worker + "\",\"resource_type\":\"vm_pyautogui\"}");
            client.await("grant's update", WAIT, McpStream.message("notifications/resources/updated", "envgrid://worker/leases"));
            client.await("grant's list change", WAIT, McpStream.message("notifications/resources/list_changed", null));
            List<String> seen = client.eventIds();
            assertTrue(seen.stream().allMatch(id -> id != null && id.matches("\\d+-\\d+")), seen.toString());
            String last = seen.get(seen.size() - 1);
            client.closeStream();

            call(client, "release_batch_resources", "{}");
            int before = client.received().size();
            client.openStream(mcp.toString(), last);
            Conditions.await("the release's update, replayed", WAIT, () -> client.received().subList(before,
                    client.received().size()).stream().anyMatch(McpStream.message("notifications/resources/updated",
                    "envgrid://worker/leases")));
            List<String> resumed = client.eventIds().subList(before, client.eventIds().size());
            assertFalse(resumed.contains(last), "nothing up to the last event again: " + resumed);
            assertFalse(resumed.stream().anyMatch(seen::contains), resumed + " after " + seen);
        }
    }

    /** At most 64 subscriptions per session (the default): the 65th is -32004 until one is dropped. */
    @Test
    void subscriptionsPerSessionAreCapped() {
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            for (int i = 0; i < 64; i++) {
                JsonNode answer = client.request("resources/subscribe", "{\"uri\":\"envgrid://desktops/cap-" + i + "/screenshot\"}");
                assertTrue(answer.path("result").isEmpty(), i + ": " + answer);
            }
            JsonNode refused = client.request("resources/subscribe", "{\"uri\":\"envgrid://desktops/cap-64/screenshot\"}");
            assertEquals(-32004, refused.path("error").path("code").asInt(), refused.toString());
            assertEquals(64, refused.path("error").path("data").path("limit").asInt(), refused.toString());
            // subscribing again to one it has is no new subscription
            assertTrue(client.request("resources/subscribe", "{\"uri\":\"envgrid://desktops/cap-0/screenshot\"}")
                    .path("result").isEmpty());
            client.request("resources/unsubscribe", "{\"uri\":\"envgrid://desktops/cap-0/screenshot\"}");
            assertTrue(client.request("resources/subscribe", "{\"uri\":\"envgrid://desktops/cap-64/screenshot\"}")
                    .path("result").isEmpty());
        }
    }

    /** The collections come from the rag instance the worker was granted (a stand-in rag-service here). */
    @Test
    void ragCollectionsAreResourcesAndCompletions() throws Exception {
        com.sun.net.httpserver.HttpServer rag = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        rag.createContext("/collections", exchange -> {
            byte[] body = "[{\"name\":\"manuals\",\"documents\":12},{\"name\":\"mail\",\"documents\":3}]"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        rag.start();
        String type = "rag_features_" + UUID.randomUUID().toString().substring(0, 8);
        TestCluster.get().register(type + "-1", type, "{\"base_url\": \"http://127.0.0.1:" + rag.getAddress().getPort() + "\"}");
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            call(client, "allocate_single_resource", "{\"worker_id\":\"rag-" + UUID.randomUUID() + "\",\"resource_type\":\"" + type + "\"}");
            JsonNode all = McpSteps.readTree(client.request("resources/read", "{\"uri\":\"envgrid://rag/collections\"}")
                    .path("result").path("contents").path(0).path("text").asText());
            assertEquals(2, all.size(), all.toString());
            JsonNode one = McpSteps.readTree(client.request("resources/read", "{\"uri\":\"envgrid://rag/collections/manuals\"}")
                    .path("result").path("contents").path(0).path("text").asText());
            assertEquals(12, one.path("documents").asInt(), one.toString());
            assertEquals(-32002, client.request("resources/read", "{\"uri\":\"envgrid://rag/collections/nope\"}")
                    .path("error").path("code").asInt());
            assertEquals(List.of("mail", "manuals"), values(client.request("completion/complete", "{\"ref\":{\"type\":\"ref/resource\","
                    + "\"uri\":\"envgrid://rag/collections/{collection}\"},\"argument\":{\"name\":\"collection\",\"value\":\"MA\"}}")));
            call(client, "release_batch_resources", "{}");
        } finally {
            rag.stop(0);
        }
    }

    @Test
    void streamRefusals() {
        io.restassured.RestAssured.given().accept("text/event-stream").get("/mcp").then().statusCode(400);
        io.restassured.RestAssured.given().accept("text/event-stream").header("Mcp-Session-Id", "nope").get("/mcp")
                .then().statusCode(404);
        io.restassured.RestAssured.given().accept("application/json").header("Mcp-Session-Id", "nope").get("/mcp")
                .then().statusCode(406);
        assertTrue(TestCluster.get().desktops().size() > 0);
    }
}

package io.envgrid.deviceagent.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.EventListener;
import io.envgrid.deviceagent.support.McpClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tools and resources over MCP, driven by the official MCP TypeScript SDK client over Streamable HTTP. */
@QuarkusTest
class McpTest {

    /** Borrowing, returning and managing devices take the service token over MCP as over REST (issue 11). */
    private static final Map<String, String> OPERATOR = Map.of("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN);

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/mcp")
    URI mcp;

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void toolsListMatchesRestAndCallsWorkWithTheirEventsAndErrors() throws Exception {
        String id = AgentCalls.createDevice("android");
        JsonNode rest = JSON.readTree(AgentCalls.asService().get("/tools").then().statusCode(200).extract().asString());
        Map<String, Object> borrow = Map.of("device_id", id, "borrower", "mcp-user", "purpose", "MCP test",
                "expected_return_date", "2030-01-01T00:00:00Z");
        List<JsonNode> answers;
        try (EventListener events = EventListener.open(ws)) {
            answers = McpClient.run(mcp, OPERATOR, List.of(
                    Map.of("op", "listTools"),
                    call("device.list", Map.of()),
                    call("device.borrow", borrow),
                    call("device.borrow", borrow),
                    call("device.return", Map.of("device_id", id, "returner", "mcp-user")),
                    call("device.info", Map.of("device_id", "no-such-device")),
                    call("device.borrow", Map.of("device_id", id)),
                    call("device.info", Map.of("device_id", id))));
            events.await("device_borrowed", d -> d.path("device_id").asText().equals(id)
                    && d.path("borrower").asText().equals("mcp-user"));
            events.await("device_returned", d -> d.path("device_id").asText().equals(id));
            events.await("device_status_update", d -> d.path("device_id").asText().equals(id)
                    && d.path("status").asText().equals("available"));
        }
        answers.forEach(a -> assertTrue(a.path("ok").asBoolean(), a.toString()));

        JsonNode listed = answers.get(0).path("result");
        assertEquals(rest.size(), listed.size());
        assertEquals(16, listed.size());
        for (int i = 0; i < rest.size(); i++) {
            JsonNode tool = listed.get(i);
            assertEquals(rest.get(i).path("name"), tool.path("name"));
            assertEquals(rest.get(i).path("description"), tool.path("description"));
            assertEquals(rest.get(i).path("inputSchema"), tool.path("inputSchema"), tool.path("name").asText());
        }

        JsonNode list = success(answers.get(1));
        assertTrue(list.path("devices").isArray());
        JsonNode borrowed = success(answers.get(2));
        assertEquals("mcp-user", borrowed.path("borrower").asText());
        assertEquals(borrowed, JSON.readTree(answers.get(2).path("result").path("content").get(0).path("text").asText()));
        assertEquals("DEVICE_ALREADY_BORROWED", toolError(answers.get(3)));
        assertEquals("mcp-user", success(answers.get(4)).path("returner").asText());
        assertEquals("DEVICE_NOT_FOUND", toolError(answers.get(5)));
        assertEquals("INVALID_PARAMETERS", toolError(answers.get(6)));
        JsonNode info = success(answers.get(7));
        assertEquals("available", info.path("status").asText());
        assertEquals(1, info.path("borrow_history").size(), "the refused borrows changed nothing");
    }

    @Test
    void resourcesAreListedAndRead() throws Exception {
        String id = AgentCalls.createDevice("android");
        String record = "mcp://test-devices/devices/android/" + id + "/device.json";
        List<JsonNode> answers = McpClient.run(mcp, OPERATOR, List.of(
                Map.of("op", "listResources"),
                Map.of("op", "readResource", "uri", "mcp://test-devices/"),
                Map.of("op", "readResource", "uri", record),
                Map.of("op", "readResource", "uri", "mcp://test-devices/devices/android/" + id),
                Map.of("op", "readResource", "uri", "mcp://test-devices/devices/android/no-such-device/device.json")));

        JsonNode listed = answers.get(0).path("result");
        List<String> uris = listed.findValuesAsText("uri");
        assertTrue(uris.containsAll(List.of("mcp://test-devices/", "mcp://test-devices/devices",
                "mcp://test-devices/tools", "mcp://test-devices/status")), uris.toString());

        JsonNode root = contents(answers.get(1));
        assertEquals("directory", root.path("type").asText());
        assertEquals(3, root.path("children").size());

        JsonNode device = contents(answers.get(2));
        assertEquals(id, device.path("device_id").asText());
        assertEquals("application/json", answers.get(2).path("result").path("contents").get(0).path("mimeType").asText());

        JsonNode directory = contents(answers.get(3));
        assertEquals(record, directory.path("children").get(0).asText());

        assertFalse(answers.get(4).path("ok").asBoolean(), answers.get(4).toString());
    }

    /**
     * The tools over MCP, on the host as a real linux device and on a record made for the test (list, borrow,
     * return and info above; system.restart only over REST, since it resets the agent other tests share).
     */
    @Test
    void everyToolAnswersOverMcp() throws Exception {
        AgentCalls.awaitHostDevicePrepared();
        String host = "test-host";
        String file = AgentCalls.uniqueId("mcp") + ".txt";
        java.nio.file.Path files = java.nio.file.Path.of("target/test-data/devices/linux/" + host + "/files");
        java.nio.file.Files.createDirectories(files);
        java.nio.file.Files.writeString(files.resolve(file), "over mcp");
        String id = AgentCalls.uniqueId("android");
        List<JsonNode> answers = McpClient.run(mcp, OPERATOR, List.of(
                call("device.create", Map.of("device_id", id, "name", "MCP phone", "type", "android", "sku", "SKU-1",
                        "cpu_type", "arm64")),
                call("device.update", Map.of("device_id", id, "updates", Map.of("name", "Renamed phone"))),
                call("device.search", Map.of("query", "Renamed")),
                call("device.connect", Map.of("device_id", host)),
                call("device.status", Map.of("device_id", host)),
                call("device.execute", Map.of("device_id", host, "command", "echo $((6*7))")),
                call("device.upload", Map.of("device_id", host, "local_path", file, "remote_path", "mcp/" + file)),
                call("device.download", Map.of("device_id", host, "remote_path", "mcp/" + file, "local_path", "back-" + file)),
                call("device.disconnect", Map.of("device_id", host)),
                call("device.delete", Map.of("device_id", id)),
                call("system.info", Map.of())));
        answers.forEach(a -> assertTrue(a.path("ok").asBoolean(), a.toString()));
        answers.forEach(a -> success(a));
        assertEquals(id, success(answers.get(1)).path("device_id").asText(), answers.get(1).toString());
        assertTrue(answers.get(2).toString().contains(id), answers.get(2).toString());
        assertEquals("42\n", success(answers.get(5)).path("output").asText(), answers.get(5).toString());
        assertEquals("over mcp", java.nio.file.Files.readString(files.resolve("back-" + file)));
        AgentCalls.call("device.info", Map.of("device_id", id)).statusCode(404);
    }

    private static Map<String, Object> call(String tool, Map<String, Object> arguments) {
        return Map.of("op", "call", "name", tool, "arguments", arguments);
    }

    private static JsonNode success(JsonNode answer) {
        JsonNode result = answer.path("result");
        assertFalse(result.path("isError").asBoolean(), result.toString());
        return result.path("structuredContent");
    }

    /** A tool error carries the REST error envelope, as structured content and as text. */
    private static String toolError(JsonNode answer) throws Exception {
        JsonNode result = answer.path("result");
        assertTrue(result.path("isError").asBoolean(), result.toString());
        JsonNode text = JSON.readTree(result.path("content").get(0).path("text").asText());
        assertEquals(result.path("structuredContent"), text);
        return result.path("structuredContent").path("error").path("code").asText();
    }

    private static JsonNode contents(JsonNode answer) throws Exception {
        assertTrue(answer.path("ok").asBoolean(), answer.toString());
        return JSON.readTree(answer.path("result").path("contents").get(0).path("text").asText());
    }
}

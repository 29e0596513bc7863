package io.envgrid.gateway.mcp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.envgrid.gateway.support.FakeDesktop;
import io.envgrid.gateway.support.McpClient;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rollout framework's flow driven by the official MCP TypeScript SDK over both transports: list tools →
 * allocate → setup → initial observations → computer actions → release → a failed call, against the real
 * allocator and vm-controller (the desktop is the OSWorld-protocol stand-in).
 */
@QuarkusTest
@WithCluster
class McpFlowTest {

    @TestHTTPResource("/mcp")
    URL mcp;

    @TestHTTPResource("/sse")
    URL sse;

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void seedFlowEndToEnd(String transport) {
        String worker = "flow-" + transport + "-" + UUID.randomUUID();
        ArrayNode steps = McpClient.steps();
        steps.addObject().put("op", "listTools");
        McpSteps.call(steps, "allocate_single_resource").put("worker_id", worker).put("resource_type", "vm_pyautogui");
        McpSteps.call(steps, "setup_batch_resources");
        McpSteps.call(steps, "get_batch_initial_observations");
        McpSteps.call(steps, "computer").put("action", "screenshot");
        McpSteps.call(steps, "computer").put("action", "left_click").putArray("coordinate").add(5).add(7);
        McpSteps.call(steps, "pyautogui").put("code", "pyautogui.typewrite('hi')");
        McpSteps.call(steps, "release_batch_resources");
        // a failed call: the SDK validates every structuredContent, a failure's error envelope too, against the
        // advertised outputSchema; it must reach the agent as a tool error, not as an SDK exception
        McpSteps.call(steps, "allocate_single_resource").put("resource_type", "no_such_type");

        List<JsonNode> out = McpClient.run((transport.equals("sse") ? sse : mcp).toString(), transport, List.of(), steps);

        assertTrue(out.get(0).path("ok").asBoolean(), out.get(0).toString());
        Set<String> names = new HashSet<>();
        out.get(1).path("result").forEach(t -> names.add(t.path("name").asText()));
        assertTrue(names.containsAll(Set.of("allocate_batch_resources", "allocate_single_resource", "setup_batch_resources",
                "get_batch_initial_observations", "release_batch_resources", "renew_resources", "computer", "pyautogui",
                "computer_13", "rag_search")), names.toString());

        JsonNode allocation = McpSteps.structured(out.get(2));
        String resourceId = allocation.path("vm_pyautogui").path("id").asText();
        assertTrue(resourceId.startsWith("desktop-"), allocation.toString());
        assertEquals("success", McpSteps.structured(out.get(3)).path("status").asText(), out.get(3).toString());

        JsonNode observation = McpSteps.structured(out.get(4)).path("vm_pyautogui");
        assertEquals(Base64.getEncoder().encodeToString(FakeDesktop.PNG), observation.path("screenshot").asText());
        assertTrue(observation.path("accessibility_tree").asText().contains("desktop-frame"), observation.toString());

        JsonNode screenshot = out.get(5).path("result");
        assertEquals("image", screenshot.path("content").path(1).path("type").asText(), screenshot.toString());

        FakeDesktop desktop = TestCluster.get().desktops().get(Integer.parseInt(resourceId.substring("desktop-".length())));
        assertFalse(McpSteps.structured(out.get(6)).path("steps").isEmpty());
        assertTrue(desktop.executed().stream().anyMatch(c -> c.contains("pyautogui.click") && c.contains("5")
                && c.contains("7")), desktop.executed().toString());
        assertTrue(desktop.executed().stream().anyMatch(c -> c.contains("pyautogui.typewrite('hi')")), desktop.executed().toString());

        assertEquals("released", McpSteps.structured(out.get(8)).path("details").path(resourceId).asText(), out.get(8).toString());
        JsonNode failed = out.get(9);
        assertTrue(failed.path("ok").asBoolean(), failed.toString());
        assertTrue(failed.path("result").path("isError").asBoolean(), failed.toString());
        assertFalse(failed.path("result").path("structuredContent").path("error").path("code").asText().isEmpty(),
                failed.toString());
        JsonNode leases = McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/leases?worker_id=" + worker, null).body());
        assertEquals(0, leases.size(), leases.toString());
    }
}

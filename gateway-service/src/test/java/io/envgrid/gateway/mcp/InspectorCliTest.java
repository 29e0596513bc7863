package io.envgrid.gateway.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.NodePackages;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The MCP Inspector's CLI ({@code @modelcontextprotocol/inspector-cli}, pinned in
 * tools/mcp-client/package.json), a client nobody here wrote, lists and calls tools, lists and
 * reads resources and gets prompts from the running gateway. Each run is its own session.
 */
@QuarkusTest
@WithCluster
class InspectorCliTest {

    private static final String CLI = "@modelcontextprotocol/inspector-cli/build/index.js";

    @TestHTTPResource("/mcp")
    URL mcp;

    /** Runs one inspector method and answers the JSON it printed. */
    private JsonNode inspect(String... args) {
        List<String> command = new ArrayList<>(List.of(mcp.toString(), "--transport", "http"));
        command.addAll(List.of(args));
        NodePackages.Run run = NodePackages.run(CLI, command, 120);
        assertEquals(0, run.exitCode(), () -> String.join(" ", args) + ":\n" + run.output());
        String out = run.output();
        int start = out.indexOf('{');
        assertTrue(start >= 0, out);
        return McpSteps.readTree(out.substring(start, out.lastIndexOf('}') + 1));
    }

    @Test
    void listsAndCallsToolsReadsResourcesAndGetsPrompts() {
        List<String> tools = new ArrayList<>();
        inspect("--method", "tools/list").path("tools").forEach(t -> tools.add(t.path("name").asText()));
        assertTrue(tools.containsAll(List.of("allocate_batch_resources", "computer", "rag_search")), tools.toString());

        String worker = "inspector-" + UUID.randomUUID();
        JsonNode renewed = inspect("--method", "tools/call", "--tool-name", "renew_resources", "--tool-arg", "worker_id=" + worker);
        assertFalse(renewed.path("isError").asBoolean(true), renewed.toString());

        List<String> uris = new ArrayList<>();
        inspect("--method", "resources/list").path("resources").forEach(r -> uris.add(r.path("uri").asText()));
        assertTrue(uris.contains("envgrid://worker/leases"), uris.toString());
        JsonNode leases = inspect("--method", "resources/read", "--uri", "envgrid://worker/leases");
        assertEquals("application/json", leases.path("contents").path(0).path("mimeType").asText(), leases.toString());

        JsonNode prompt = inspect("--method", "prompts/get", "--prompt-name", "desktop_task", "--prompt-args",
                "task=Open the file manager", "action_space=computer_13");
        assertTrue(prompt.path("messages").path(1).path("content").path("text").asText().contains("Open the file manager"),
                prompt.toString());
        assertTrue(prompt.path("messages").path(0).path("content").path("text").asText().contains("computer_13"), prompt.toString());
    }
}

package io.envgrid.gateway.smcp.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** How an office's Computer tools are named in MCP, and what of an {@code SMCPTool} a listing keeps. */
class ExposedNamesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExposedNames NAMES = new ExposedNames(List.of("computer", "desktop.screenshot"), JSON);

    @Test
    void everyToolIsNamedByItsComputerAndItsExposedName() {
        TreeMap<String, List<JsonNode>> byComputer = new TreeMap<>(Map.of(
                "lab-pc-1", List.of(tool("everything__echo"), tool("files__read")),
                "lab-pc-2", List.of(tool("everything__echo"))));
        Map<String, ComputerTool> named = byName(NAMES.assign(byComputer));
        assertEquals(List.of("lab-pc-1.everything__echo", "lab-pc-1.files__read", "lab-pc-2.everything__echo"),
                List.copyOf(named.keySet()));
        ComputerTool first = named.get("lab-pc-1.everything__echo");
        assertEquals("lab-pc-1", first.computer(), "the call goes to the Computer by its real name");
        assertEquals("everything__echo", first.exposedName(), "under the name the Computer knows");
    }

    @Test
    void schemasAndToolMetaAreTakenFromTheSmcpTool() {
        ObjectNode echo = tool("everything__echo");
        echo.putObject("params_schema").put("type", "object").putObject("properties").putObject("message").put("type", "string");
        echo.putObject("return_schema").put("type", "object");
        echo.putObject("meta").put("a2c_tool_meta", "{\"alias\":null,\"tags\":[\"demo\"],\"auto_apply\":true}");
        ObjectNode bare = tool("everything__bare");
        bare.put("params_schema", "not a schema");
        bare.putObject("meta").put("a2c_tool_meta", "not json");
        // read as strictly as the packet that carried it: which auto_apply an MCP client saw would be unclear
        ObjectNode twice = tool("everything__twice");
        twice.putObject("meta").put("a2c_tool_meta", "{\"auto_apply\":false,\"auto_apply\":true}");
        Map<String, ComputerTool> named = byName(NAMES.assign(new TreeMap<>(Map.of("pc", List.of(echo, bare, twice,
                JSON.createObjectNode().put("description", "no name"))))));

        assertEquals(3, named.size(), "a tool without a name is left out: " + named.keySet());
        ComputerTool full = named.get("pc.everything__echo");
        assertEquals("string", full.inputSchema().path("properties").path("message").path("type").asText());
        assertEquals("object", full.outputSchema().path("type").asText());
        assertTrue(full.toolMeta().path("auto_apply").asBoolean(), full.toString());
        assertEquals("everything", full.bundleId());
        ComputerTool poor = named.get("pc.everything__bare");
        assertEquals(JSON.createObjectNode().put("type", "object"), poor.inputSchema(), "MCP wants an object schema");
        assertNull(poor.outputSchema());
        assertNull(poor.toolMeta());
        assertNull(named.get("pc.everything__twice").toolMeta(), "a tool meta with a key twice is no JSON");
    }

    private static ObjectNode tool(String name) {
        return JSON.createObjectNode().put("name", name).put("bundle_id", name.substring(0, name.indexOf("__")))
                .put("description", "d");
    }

    private static Map<String, ComputerTool> byName(List<ComputerTool> tools) {
        Map<String, ComputerTool> out = new TreeMap<>();
        tools.forEach(t -> out.put(t.name(), t));
        return out;
    }
}

package io.envgrid.gateway.smcp.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Pattern;

/**
 * The names an office's Computer tools get in MCP. A name exposed by one Computer only is kept as the Computer
 * exposes it ({@code {bundle_id}__{alias|tool}}, A2C-SMCP §7). A name exposed by several Computers is prefixed on
 * each with its Computer's name and a dot, {@code {computer}.{exposed}} (the dot is allowed in MCP tool names and
 * never appears in an exposed name's {@code __} scheme; characters of the Computer name outside
 * {@code [A-Za-z0-9_-]} become {@code _}), so no Computer's tool shadows another's and a name that is unique stays
 * stable when a second Computer joins with other tools. Should two prefixed names still be equal (Computer names that
 * differ only in such characters), the Computer sorting first keeps it and the other's tool is left out. A tool
 * without a usable name or schema is left out too.
 */
final class ExposedNames {

    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_-]");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ExposedNames() {
    }

    /** {@code byComputer}: each Computer's {@code SMCPTool}s ({@code client:get_tools}' {@code tools}), by name. */
    static List<ComputerTool> assign(SortedMap<String, List<JsonNode>> byComputer, ObjectMapper json) {
        Map<String, Integer> exposedBy = new HashMap<>();
        byComputer.values().forEach(tools -> tools.stream().map(t -> t.path("name").asText("")).distinct()
                .forEach(n -> exposedBy.merge(n, 1, Integer::sum)));
        List<ComputerTool> out = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        byComputer.forEach((computer, tools) -> {
            for (JsonNode tool : tools) {
                String exposed = tool.path("name").asText("");
                if (exposed.isEmpty()) {
                    continue;
                }
                String name = exposedBy.get(exposed) > 1 ? UNSAFE.matcher(computer).replaceAll("_") + "." + exposed : exposed;
                if (taken.add(name)) {
                    out.add(new ComputerTool(name, computer, exposed, tool.path("bundle_id").asText(null),
                            tool.path("description").asText(""), inputSchema(tool.get("params_schema")),
                            tool.get("return_schema") instanceof ObjectNode o ? o : null,
                            toolMeta(tool.path("meta").get("a2c_tool_meta"), json)));
                }
            }
        });
        return out;
    }

    /** MCP requires an object schema: a missing or non-object one becomes {@code {"type": "object"}}. */
    private static ObjectNode inputSchema(JsonNode schema) {
        if (schema instanceof ObjectNode o && "object".equals(o.path("type").asText())) {
            return o;
        }
        return NODES.objectNode().put("type", "object");
    }

    /** {@code meta.a2c_tool_meta} is a JSON string on the wire (§3); an object is taken as it is. */
    private static JsonNode toolMeta(JsonNode meta, ObjectMapper json) {
        if (meta == null || meta.isNull()) {
            return null;
        }
        if (meta.isObject()) {
            return meta;
        }
        try {
            JsonNode parsed = json.readTree(meta.asText());
            return parsed != null && parsed.isObject() ? parsed : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}

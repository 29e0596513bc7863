package io.envgrid.deviceagent.computer.hosting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.computer.config.ToolMeta;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A hosted tool as the network sees it: {@code name} = {@code {bundle_id}__{alias or tool}}, the server's own name
 * {@code tool}, its schemas, and the merged {@link ToolMeta} ({@code tool_meta[tool]} over {@code default_tool_meta}
 * over what the server declares in its tool's {@code _meta.a2c_tool_meta}).
 */
public record ExposedTool(String name, String bundleId, String tool, String description,
        Map<String, Object> inputSchema, Map<String, Object> outputSchema, ToolMeta meta) {

    /** The separator of bundle id and tool name in an exposed name. */
    public static final String SEPARATOR = "__";

    /**
     * The A2C-SMCP {@code SMCPTool}: {@code {name, bundle_id, description, params_schema, return_schema, meta}} where
     * {@code meta.a2c_tool_meta} is the merged tool meta as a JSON <em>string</em> (as the protocol defines it).
     */
    public Map<String, Object> toWire(ObjectMapper mapper) {
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("name", name);
        wire.put("bundle_id", bundleId);
        wire.put("description", description == null ? "" : description);
        wire.put("params_schema", inputSchema == null ? Map.of("type", "object") : inputSchema);
        wire.put("return_schema", outputSchema);
        try {
            wire.put("meta", Map.of("a2c_tool_meta", mapper.writeValueAsString(meta)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a ToolMeta always serializes", e);
        }
        return wire;
    }
}

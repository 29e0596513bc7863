package io.envgrid.gateway.smcp.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One tool of a Computer as a bound MCP session sees it: {@code name} is what {@code tools/list} shows
 * ({@code {computer}.{exposed}}, each part encoded by {@link ExposedNames}), {@code computer} (its name in the office)
 * and {@code exposedName} (the Computer's exposed name {@code {bundle_id}__{alias|tool}}) are where
 * {@code client:tool_call} goes and what the listing's title shows. {@code inputSchema} is the SMCPTool's {@code params_schema}, {@code outputSchema} its {@code return_schema}
 * (null when none), {@code toolMeta} its {@code meta.a2c_tool_meta} parsed (null when absent or not JSON).
 */
public record ComputerTool(String name, String computer, String exposedName, String bundleId, String description,
        ObjectNode inputSchema, ObjectNode outputSchema, JsonNode toolMeta) {
}

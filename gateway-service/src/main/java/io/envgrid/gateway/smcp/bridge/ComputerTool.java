package io.envgrid.gateway.smcp.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One tool of a Computer as a bound MCP session sees it: {@code name} is what {@code tools/list} shows (the
 * Computer's exposed name {@code {bundle_id}__{alias|tool}}, or {@code {computer}.{exposed}} when two Computers of
 * the office expose the same name), {@code computer} and {@code exposedName} are where {@code client:tool_call}
 * goes. {@code inputSchema} is the SMCPTool's {@code params_schema}, {@code outputSchema} its {@code return_schema}
 * (null when none), {@code toolMeta} its {@code meta.a2c_tool_meta} parsed (null when absent or not JSON).
 */
public record ComputerTool(String name, String computer, String exposedName, String bundleId, String description,
        ObjectNode inputSchema, ObjectNode outputSchema, JsonNode toolMeta) {
}

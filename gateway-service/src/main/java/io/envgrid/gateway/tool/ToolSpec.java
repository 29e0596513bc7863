package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a client sees of a tool: its name, description and input JSON Schema; {@code system} marks
 * the resource-management tools seed 000 registers hidden; {@code needsWorker} that the call acts
 * for a worker, whose id the gateway injects from the session.
 */
public record ToolSpec(String name, String description, ObjectNode inputSchema, boolean system, boolean needsWorker) {
}

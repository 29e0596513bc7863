package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A tool as data: its MCP {@code name}, {@code description}, {@code inputSchema} (the one place its
 * argument bounds are written; unknown arguments are refused), {@code outputSchema} (what
 * {@code structuredContent} holds), {@link ToolAnnotations annotations}, {@link ToolScope scope},
 * {@code system} for the resource-management tools the rollout framework's MCP client registers hidden, and
 * {@code sandboxName}: its name on the Sandbox API, {@code <backend kind>:<short name>}
 * ({@code desktop:click}, offered as {@code vm:click} under every profile resource type of the
 * {@code desktop} backend), a bare name for an API tool ({@code fetch}), null when the Sandbox
 * API does not offer it.
 */
public record ToolSpec(String name, String description, ObjectNode inputSchema, ObjectNode outputSchema,
        ToolAnnotations annotations, ToolScope scope, boolean system, String sandboxName) {

    /** Whether the call must act for a known worker. */
    public boolean needsWorker() {
        return scope.needsWorker();
    }
}

package io.envgrid.gateway.sandbox.execution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.sandbox.backend.BackendTool;

/**
 * A tool of the Sandbox API: {@code name} is what {@code /execute} takes ({@code vm:screenshot},
 * or {@code fetch} for an API tool), {@code shortName} the part after the prefix, and
 * {@code resourceType} the backend it belongs to (null for API tools, which need no session).
 */
public record SandboxTool(String name, String shortName, String resourceType, String description, ObjectNode inputSchema,
        BackendTool.Handler handler) {
}

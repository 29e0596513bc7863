package io.envgrid.gateway.sandbox.execution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.tool.Tool;

/**
 * A Sandbox API name of a registry tool: {@code name} is what {@code /execute} takes
 * ({@code vm:click}, or {@code fetch} for an API tool), {@code shortName} the part after the
 * prefix, {@code resourceType} the profile's resource type whose backend serves it (null for API
 * tools, which need no session), and {@code defaults} the backend's arguments merged under a
 * call's (rag's {@code top_k} and {@code mode} from the profile). The tool, its schemas and its
 * handler are the registry's: there is no second tool model.
 */
public record SandboxTool(String name, String shortName, String resourceType, Tool tool, ObjectNode defaults) {
}

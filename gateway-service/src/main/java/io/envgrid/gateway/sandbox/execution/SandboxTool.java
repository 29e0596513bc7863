package io.envgrid.gateway.sandbox.execution;

import io.envgrid.gateway.tool.Tool;

/**
 * A Sandbox API name of a registry tool: {@code name} is what {@code /execute} takes
 * ({@code vm:click}, or {@code fetch} for an API tool), {@code shortName} the part after the
 * prefix, {@code resourceType} the profile's resource type whose backend serves it (null for API
 * tools, which need no session). What a call leaves out and its session supplies (a desktop's
 * {@code resource_id}, rag's {@code top_k}, {@code mode} and {@code collection}) comes from its backend's
 * {@code sessionArguments}. The tool, its schemas and its handler are the registry's: there is no second
 * tool model.
 */
public record SandboxTool(String name, String shortName, String resourceType, Tool tool) {
}

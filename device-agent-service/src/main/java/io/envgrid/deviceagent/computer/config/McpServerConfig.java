package io.envgrid.deviceagent.computer.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * One MCP server a Computer hosts, as A2C-SMCP configures it ({@code MCPServerConfig}): {@code type}
 * ({@code stdio}, {@code streamable} — MCP Streamable HTTP — or {@code sse}) chooses what {@code server_parameters}
 * holds. Strings may hold {@code ${input:<id>}} placeholders; the config is kept as written and only rendered when
 * the server starts, so what is sent to the network never carries a resolved secret.
 *
 * @param name display name; may collide with another server's
 * @param bundleId the unique id ({@code [A-Za-z0-9_-]}, no {@code __}); null means derived, see {@link BundleIds}
 * @param disabled a disabled server is kept in the config but not started and exposes no tool
 * @param forbiddenTools tool names (as the server names them) never exposed
 * @param toolMeta per tool (as the server names it): alias, tags, auto_apply
 * @param defaultToolMeta applies to every tool below its own {@code toolMeta} entry
 * @param vrl VRL transform of results: part of the protocol's model, not supported by this Computer (refused)
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record McpServerConfig(
        @JsonProperty("name") String name,
        @JsonProperty("bundle_id") String bundleId,
        @JsonProperty("disabled") boolean disabled,
        @JsonProperty("forbidden_tools") List<String> forbiddenTools,
        @JsonProperty("tool_meta") Map<String, ToolMeta> toolMeta,
        @JsonProperty("default_tool_meta") ToolMeta defaultToolMeta,
        @JsonProperty("vrl") Object vrl,
        @JsonProperty("server_parameters")
        @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXTERNAL_PROPERTY, property = "type")
        @JsonSubTypes({
                @JsonSubTypes.Type(value = StdioParameters.class, name = "stdio"),
                @JsonSubTypes.Type(value = StreamableParameters.class, name = "streamable"),
                @JsonSubTypes.Type(value = SseParameters.class, name = "sse")})
        ServerParameters serverParameters) {

    /** The same server with this bundle id. */
    public McpServerConfig withBundleId(String id) {
        return new McpServerConfig(name, id, disabled, forbiddenTools, toolMeta, defaultToolMeta, vrl,
                serverParameters);
    }

    /** This config as it may leave the host: its parameters {@link ServerParameters#redacted() redacted}. */
    public McpServerConfig redacted() {
        return new McpServerConfig(name, bundleId, disabled, forbiddenTools, toolMeta, defaultToolMeta, vrl,
                serverParameters == null ? null : serverParameters.redacted());
    }

    /** What identifies the connection when no name gives a bundle id (command line or URL). */
    public String connectionIdentity() {
        return serverParameters == null ? "" : serverParameters.connectionIdentity();
    }
}

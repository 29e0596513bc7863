package io.envgrid.deviceagent.computer.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;

/**
 * One MCP server a Computer hosts, as A2C-SMCP configures it ({@code MCPServerConfig}, discriminated by
 * {@code type}: {@code stdio}, {@code streamable} — MCP Streamable HTTP — or {@code sse}). Strings may hold
 * {@code ${input:<id>}} placeholders; the config is kept as written and only rendered when the server starts, so
 * what is sent to the network never carries a resolved secret.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = StdioServerConfig.class, name = "stdio"),
        @JsonSubTypes.Type(value = StreamableServerConfig.class, name = "streamable"),
        @JsonSubTypes.Type(value = SseServerConfig.class, name = "sse")})
public sealed interface McpServerConfig permits StdioServerConfig, StreamableServerConfig, SseServerConfig {

    /** Display name; may collide with another server's. */
    String name();

    /** The unique id ({@code [A-Za-z0-9_-]}, no {@code __}); null means derived, see {@link BundleIds}. */
    String bundleId();

    /** A disabled server is kept in the config but not started and exposes no tool. */
    boolean disabled();

    /** Tool names (as the server names them) never exposed. */
    List<String> forbiddenTools();

    /** Per tool (as the server names it): alias, tags, auto_apply. */
    Map<String, ToolMeta> toolMeta();

    /** Applies to every tool below its own {@link #toolMeta()} entry. */
    ToolMeta defaultToolMeta();

    /** VRL transform of results: part of the protocol's model, not supported by this Computer (refused). */
    Object vrl();

    /** The same server with this bundle id. */
    McpServerConfig withBundleId(String bundleId);

    /** What identifies the connection when no name gives a bundle id (command line or URL). */
    String connectionIdentity();
}

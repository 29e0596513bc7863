package io.envgrid.deviceagent.computer.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/** An MCP server reached over MCP Streamable HTTP at {@code url}. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamableServerConfig(
        @JsonProperty("name") String name,
        @JsonProperty("bundle_id") String bundleId,
        @JsonProperty("disabled") boolean disabled,
        @JsonProperty("forbidden_tools") List<String> forbiddenTools,
        @JsonProperty("tool_meta") Map<String, ToolMeta> toolMeta,
        @JsonProperty("default_tool_meta") ToolMeta defaultToolMeta,
        @JsonProperty("vrl") Object vrl,
        @JsonProperty("server_parameters") Parameters serverParameters) implements McpServerConfig {

    /**
     * {@code url} of the MCP endpoint, extra {@code headers}, {@code timeout} (ISO-8601 duration, e.g. {@code PT30S})
     * for each request, {@code sse_read_timeout} (ISO-8601) and {@code terminate_on_close} as the reference names them.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Parameters(
            @JsonProperty("url") String url,
            @JsonProperty("headers") Map<String, String> headers,
            @JsonProperty("timeout") String timeout,
            @JsonProperty("sse_read_timeout") String sseReadTimeout,
            @JsonProperty("terminate_on_close") Boolean terminateOnClose) {
    }

    @Override
    public McpServerConfig withBundleId(String id) {
        return new StreamableServerConfig(name, id, disabled, forbiddenTools, toolMeta, defaultToolMeta, vrl,
                serverParameters);
    }

    @Override
    public String connectionIdentity() {
        return serverParameters == null ? "" : String.valueOf(serverParameters.url());
    }
}

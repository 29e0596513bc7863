package io.envgrid.deviceagent.computer.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/** An MCP server reached over the older HTTP+SSE transport at {@code url} (its SSE endpoint). */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SseServerConfig(
        @JsonProperty("name") String name,
        @JsonProperty("bundle_id") String bundleId,
        @JsonProperty("disabled") boolean disabled,
        @JsonProperty("forbidden_tools") List<String> forbiddenTools,
        @JsonProperty("tool_meta") Map<String, ToolMeta> toolMeta,
        @JsonProperty("default_tool_meta") ToolMeta defaultToolMeta,
        @JsonProperty("vrl") Object vrl,
        @JsonProperty("server_parameters") Parameters serverParameters) implements McpServerConfig {

    /** {@code url} of the SSE endpoint, extra {@code headers}, {@code timeout} and {@code sse_read_timeout} in seconds. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Parameters(
            @JsonProperty("url") String url,
            @JsonProperty("headers") Map<String, String> headers,
            @JsonProperty("timeout") Double timeout,
            @JsonProperty("sse_read_timeout") Double sseReadTimeout) {
    }

    @Override
    public McpServerConfig withBundleId(String id) {
        return new SseServerConfig(name, id, disabled, forbiddenTools, toolMeta, defaultToolMeta, vrl,
                serverParameters);
    }

    @Override
    public String connectionIdentity() {
        return serverParameters == null ? "" : String.valueOf(serverParameters.url());
    }
}

package io.envgrid.deviceagent.computer.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/** An MCP server the Computer starts as a child process and speaks to over its stdin/stdout. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StdioServerConfig(
        @JsonProperty("name") String name,
        @JsonProperty("bundle_id") String bundleId,
        @JsonProperty("disabled") boolean disabled,
        @JsonProperty("forbidden_tools") List<String> forbiddenTools,
        @JsonProperty("tool_meta") Map<String, ToolMeta> toolMeta,
        @JsonProperty("default_tool_meta") ToolMeta defaultToolMeta,
        @JsonProperty("vrl") Object vrl,
        @JsonProperty("server_parameters") Parameters serverParameters) implements McpServerConfig {

    /**
     * The process: {@code command} with {@code args}, extra {@code env} on top of the agent's scrubbed environment,
     * {@code cwd}; {@code encoding} and {@code encoding_error_handler} as the reference names them (only UTF-8 with
     * {@code strict} is spoken: the MCP SDK reads the stream as UTF-8).
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Parameters(
            @JsonProperty("command") String command,
            @JsonProperty("args") List<String> args,
            @JsonProperty("env") Map<String, String> env,
            @JsonProperty("cwd") String cwd,
            @JsonProperty("encoding") String encoding,
            @JsonProperty("encoding_error_handler") String encodingErrorHandler) {
    }

    @Override
    public McpServerConfig withBundleId(String id) {
        return new StdioServerConfig(name, id, disabled, forbiddenTools, toolMeta, defaultToolMeta, vrl,
                serverParameters);
    }

    @Override
    public String connectionIdentity() {
        return serverParameters == null ? "" : serverParameters.command() + " " + serverParameters.args();
    }
}

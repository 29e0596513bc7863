package io.envgrid.deviceagent.computer.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * {@code type: stdio}: the Computer starts {@code command} with {@code args} as a child process and speaks MCP over
 * its stdin/stdout; extra {@code env} on top of the agent's scrubbed environment, {@code cwd}; {@code encoding} and
 * {@code encoding_error_handler} as the reference names them (only UTF-8 with {@code strict} is spoken: the MCP SDK
 * reads the stream as UTF-8).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StdioParameters(
        @JsonProperty("command") String command,
        @JsonProperty("args") List<String> args,
        @JsonProperty("env") Map<String, String> env,
        @JsonProperty("cwd") String cwd,
        @JsonProperty("encoding") String encoding,
        @JsonProperty("encoding_error_handler") String encodingErrorHandler) implements ServerParameters {

    @Override
    public String connectionIdentity() {
        return command + " " + args;
    }

    @Override
    public String typeName() {
        return "stdio";
    }
}

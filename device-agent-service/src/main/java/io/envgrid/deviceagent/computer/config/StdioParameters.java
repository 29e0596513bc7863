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

    /**
     * {@code env} values masked. {@code command} and {@code args} stay as written: they are on the host's process
     * table for every local user anyway, so no secret belongs there (and no placeholder may be there, see
     * {@code ServerConfigCheck}).
     */
    @Override
    public StdioParameters redacted() {
        return new StdioParameters(command, args, Redaction.values(env), cwd, encoding, encodingErrorHandler);
    }
}

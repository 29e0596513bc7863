package io.envgrid.deviceagent.computer.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * A value a server config refers to as {@code ${input:<id>}} (A2C-SMCP {@code MCPServerInput}, shaped like VS Code's
 * inputs). A Computer has no one to prompt, so a value comes from the environment variable
 * {@code A2C_SMCP_<ID>} (see {@link InputValues}), else the input's {@code default}, else (for {@code command}) the
 * command's output.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = McpServerInput.PromptString.class, name = "promptString"),
        @JsonSubTypes.Type(value = McpServerInput.PickString.class, name = "pickString"),
        @JsonSubTypes.Type(value = McpServerInput.Command.class, name = "command")})
public sealed interface McpServerInput {

    /** The id placeholders use. */
    String id();

    /** This input as it may be shown on the network: a password's default is masked. */
    McpServerInput redacted();

    /** A free string; {@code password} marks a secret. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PromptString(@JsonProperty("id") String id, @JsonProperty("description") String description,
            @JsonProperty("default") String defaultValue, @JsonProperty("password") Boolean password)
            implements McpServerInput {
        @Override
        public McpServerInput redacted() {
            boolean secret = Boolean.TRUE.equals(password) && defaultValue != null;
            return secret ? new PromptString(id, description, "******", password) : this;
        }
    }

    /** One of {@code options}. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PickString(@JsonProperty("id") String id, @JsonProperty("description") String description,
            @JsonProperty("options") List<Option> options, @JsonProperty("default") String defaultValue)
            implements McpServerInput {
        @Override
        public McpServerInput redacted() {
            return this;
        }
    }

    /** An option of a {@link PickString}. */
    @RegisterForReflection
    record Option(@JsonProperty("label") String label, @JsonProperty("value") String value) {
    }

    /** The trimmed standard output of {@code command args} run on the host. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Command(@JsonProperty("id") String id, @JsonProperty("description") String description,
            @JsonProperty("command") String command, @JsonProperty("args") List<String> args)
            implements McpServerInput {
        @Override
        public McpServerInput redacted() {
            return this;
        }
    }
}

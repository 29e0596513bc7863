package io.envgrid.deviceagent.tool;

import io.envgrid.deviceagent.access.Credentials;
import java.util.Map;

/** The arguments of one tool call, already checked against the tool's {@link InputSchema}, and who made it. */
public record ToolArguments(Map<String, Object> values, Credentials caller) {

    /** Arguments of a nested object (e.g. {@code updates}), with no credential of their own. */
    public ToolArguments(Map<String, Object> values) {
        this(values, new Credentials.None());
    }

    public String string(String name) {
        return (String) values.get(name);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> object(String name) {
        Object value = values.get(name);
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    public boolean flag(String name) {
        return Boolean.TRUE.equals(values.get(name));
    }

    /** Whether the caller presented the agent's service token. */
    public boolean asService() {
        return caller instanceof Credentials.ServiceToken;
    }
}

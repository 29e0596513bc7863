package io.envgrid.gateway.error;

import java.util.List;
import java.util.Map;

/**
 * A tool call that failed for a reason the caller should see: its HTTP status (used by the Sandbox
 * API), its envelope code and details. Over MCP it becomes a tool result with {@code isError}.
 */
public class ToolFailure extends RuntimeException {

    private final int status;
    private final String code;
    private final Map<String, Object> details;

    public ToolFailure(int status, String code, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details == null ? Map.of() : details;
    }

    public static ToolFailure invalid(String message) {
        return new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, message, Map.of());
    }

    /**
     * 400 {@code INVALID_PARAMETERS} about one argument of {@code tool}, shaped as the schema check's refusals:
     * {@code details: {tool, argument, field, problems: ["'<argument>': <problem>"]}} ({@code field} is the argument).
     */
    public static ToolFailure invalidArgument(String tool, String argument, String problem) {
        String described = "'" + argument + "': " + problem;
        return new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, tool + ": " + described,
                Map.of("tool", tool, "argument", argument, "field", argument, "problems", List.of(described)));
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    public ErrorEnvelope envelope() {
        return ErrorEnvelope.of(code, getMessage(), details);
    }
}

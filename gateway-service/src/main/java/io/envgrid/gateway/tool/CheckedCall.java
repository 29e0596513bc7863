package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * A call whose arguments passed its tool's {@link ArgumentCheck}: {@link ToolRegistry#prepare} makes one, so
 * {@link ToolExecution} runs nothing unchecked. {@link #withSessionArguments} adds what the worker's own session record
 * holds without a second check; where a session fills in values from the worker's config, the caller passes the result
 * through {@code prepare} again (the Sandbox API's {@code SandboxExecutor}).
 */
public final class CheckedCall {

    private final Tool tool;
    private final ObjectNode arguments;

    CheckedCall(Tool tool, ObjectNode arguments) {
        this.tool = tool;
        this.arguments = arguments;
    }

    public Tool tool() {
        return tool;
    }

    public ObjectNode arguments() {
        return arguments;
    }

    /**
     * The same call with each of {@code sessionArguments} its tool takes and the call leaves out: the Sandbox API's
     * session supplies what its tools act on (a desktop's {@code resource_id}, a rag lease's {@code collection}).
     * The values come from the worker's own session record, not from the caller.
     */
    public CheckedCall withSessionArguments(ObjectNode sessionArguments) {
        JsonNode properties = tool.spec().inputSchema().path("properties");
        ObjectNode withSession = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = sessionArguments.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> argument = it.next();
            if (properties.has(argument.getKey()) && !arguments.hasNonNull(argument.getKey())) {
                withSession = withSession == null ? arguments.deepCopy() : withSession;
                withSession.set(argument.getKey(), argument.getValue());
            }
        }
        return withSession == null ? this : new CheckedCall(tool, withSession);
    }
}

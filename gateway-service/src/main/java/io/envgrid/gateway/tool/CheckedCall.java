package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A call whose arguments passed its tool's {@link ArgumentCheck}: only {@link ToolRegistry#prepare}
 * makes one, so {@link ToolExecution} runs nothing unchecked.
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
     * The same call acting on {@code resourceId} unless it names a resource itself: the Sandbox
     * API's session supplies the resource its tools act on. The id comes from the worker's own
     * session record, not from the caller.
     */
    public CheckedCall onResource(String resourceId) {
        if (resourceId == null || arguments.hasNonNull("resource_id")
                || !tool.spec().inputSchema().path("properties").has("resource_id")) {
            return this;
        }
        ObjectNode withResource = arguments.deepCopy();
        withResource.put("resource_id", resourceId);
        return new CheckedCall(tool, withResource);
    }
}

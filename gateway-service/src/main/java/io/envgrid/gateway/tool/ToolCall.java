package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One invocation: its arguments, the worker it acts for (from the arguments or the session's
 * binding; null for tools that need none) and where progress goes.
 */
public record ToolCall(ObjectNode arguments, String workerId, ProgressSink progress) {

    public Args args() {
        return new Args(arguments);
    }
}

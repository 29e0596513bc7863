package io.envgrid.gateway.mcp.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.tool.ProgressSink;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * Tools that exist for one MCP session rather than for the whole gateway (the A2C-SMCP bridge: the tools of the
 * Computers in the office a session is bound to, and the tools that bind it). They are listed after the registry's
 * tools and called when the registry has no tool of the name; they never reach the Sandbox API.
 */
public interface SessionTools {

    /** The session's own {@code tools/list} entries ({@code name, description, inputSchema, …}). */
    Uni<List<ObjectNode>> list(McpSession session, Principal principal);

    /**
     * Runs {@code tools/call} of {@code name}: the MCP {@code CallToolResult} ({@code isError} for a failed call), or
     * a failure with {@link UnknownTool} when the session has no tool of that name (JSON-RPC {@code -32602}).
     * Cancelling the returned work cancels the call wherever it runs; the call's progress goes to {@code progress}.
     */
    Uni<ObjectNode> call(McpSession session, Principal principal, String name, ObjectNode arguments,
            ProgressSink progress);

    /** No tool of that name for this session. */
    final class UnknownTool extends RuntimeException {
        public UnknownTool(String name) {
            super("Unknown tool: " + name, null, false, false);
        }
    }
}

package io.envgrid.gateway.mcp.session;

import io.smallrye.mutiny.Uni;
import java.util.Map;

/**
 * Told once when an MCP session ends (DELETE, closed SSE stream, idle), on the replica that ended it, with the fields
 * the session's hash held just before (state kept elsewhere about the session, such as an office's set of bound
 * sessions, can go with it). A failure is logged by the caller, never stops the session's end.
 */
public interface SessionEndListener {

    Uni<Void> sessionEnded(String sessionId, Map<String, String> fields);
}

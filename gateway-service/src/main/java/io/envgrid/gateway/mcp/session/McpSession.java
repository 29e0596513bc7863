package io.envgrid.gateway.mcp.session;

/**
 * An MCP session as every gateway replica sees it (kept in Redis): its transport ({@code streamable}
 * or {@code sse}), negotiated protocol version, the worker it is bound to (null until a tool call
 * names one) and, for the legacy SSE transport, the replica holding the client's event stream.
 */
public record McpSession(String id, String transport, String protocolVersion, String workerId, String streamOwner) {

    public static final String STREAMABLE = "streamable";
    public static final String SSE = "sse";
}

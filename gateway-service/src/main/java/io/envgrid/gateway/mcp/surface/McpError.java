package io.envgrid.gateway.mcp.surface;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A JSON-RPC error answer to an MCP request ({@code -32602} invalid params, {@code -32002} resource
 * not found, …), thrown by a feature and turned into the error response by {@link SurfaceMethods}.
 */
public class McpError extends RuntimeException {

    private final int code;
    private final transient JsonNode data;

    public McpError(int code, String message) {
        this(code, message, null);
    }

    public McpError(int code, String message, JsonNode data) {
        super(message, null, false, false);
        this.code = code;
        this.data = data;
    }

    public int code() {
        return code;
    }

    /** Extra facts for the error's {@code data} member; null for none. */
    public JsonNode data() {
        return data;
    }
}

package io.envgrid.gateway.mcp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON-RPC 2.0 messages as MCP uses them. */
public final class JsonRpc {

    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;
    /** No session (unknown, ended) for a request that needs one; the HTTP status says 404. */
    public static final int SESSION_NOT_FOUND = -32001;
    /**
     * Refused by the access guard (host, origin, token) or outside the token's workers. In the
     * implementation-defined server-error range (-32000..-32099), at a code MCP does not define:
     * MCP gives -32002 to "resource not found" and -32042 to "URL elicitation required", and the
     * official SDKs use -32000 (connection closed) and -32001 (request timeout, session not found).
     */
    public static final int ACCESS_DENIED = -32003;
    /** A per-session limit (resource subscriptions) is reached; implementation-defined, unused by MCP. */
    public static final int LIMIT_REACHED = -32004;
    /** The request was cancelled by the client before it finished. */
    public static final int REQUEST_CANCELLED = -32800;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonRpc() {
    }

    public static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode message = NODES.objectNode().put("jsonrpc", "2.0");
        message.set("id", id);
        message.set("result", result);
        return message;
    }

    public static ObjectNode error(JsonNode id, int code, String text) {
        ObjectNode message = NODES.objectNode().put("jsonrpc", "2.0");
        message.set("id", id == null ? NullNode.getInstance() : id);
        message.putObject("error").put("code", code).put("message", text);
        return message;
    }

    public static ObjectNode notification(String method, ObjectNode params) {
        ObjectNode message = NODES.objectNode().put("jsonrpc", "2.0").put("method", method);
        message.set("params", params);
        return message;
    }

    /** A request has a method and an id; a notification a method and no id; anything else is a response. */
    public static boolean isRequest(JsonNode message) {
        return message.hasNonNull("method") && message.has("id") && !message.get("id").isNull();
    }

    public static boolean isNotification(JsonNode message) {
        return message.hasNonNull("method") && !message.has("id");
    }

    /**
     * The id to answer an invalid message ({@link #isValid} false) with: its id when that is one (a string or an integer),
     * else null, as JSON-RPC 2.0 answers a request whose id could not be read. Echoing any value would hand a client
     * back what it sent as it came ({@code {}}, an array) or changed ({@code 1e999} as the string {@code "Infinity"}).
     */
    public static JsonNode answerableId(JsonNode message) {
        JsonNode id = message == null ? null : message.get("id");
        return id != null && (id.isTextual() || id.isIntegralNumber()) ? id : null;
    }

    /** A well-formed single JSON-RPC 2.0 message (batches were removed from MCP in 2025-06-18). */
    public static boolean isValid(JsonNode message) {
        if (message == null || !message.isObject() || !"2.0".equals(message.path("jsonrpc").asText())) {
            return false;
        }
        JsonNode id = message.get("id");
        boolean idOk = id == null || id.isTextual() || id.isIntegralNumber() || (id.isNull() && !message.has("method"));
        boolean methodOk = !message.has("method") || message.get("method").isTextual();
        boolean shapeOk = message.has("method") || message.has("result") || message.has("error");
        return idOk && methodOk && shapeOk;
    }
}

package io.envgrid.deviceagent.mcp;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.deviceagent.error.HttpRefusals;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The shape check of what is POSTed to {@code /mcp}, made before quarkus-mcp-server-http sees it. The library casts
 * what it reads ({@code params}, {@code clientInfo}, a batch's elements) without looking, so a message of the wrong
 * shape was a 500 (ClassCastException, NullPointerException, IndexOutOfBoundsException; found by
 * {@code DoorsFuzzTest}). Checked here (JSON-RPC 2.0, the MCP 2025-11-25 schema): the body is one JSON value, an
 * object (one message) or a non-empty array of objects (a batch); each message has {@code jsonrpc} {@code "2.0"} and an
 * {@code id} that is a string or a number, or none; a request or notification has a string {@code method} and
 * {@code params} an object or none; a response has {@code result} (an object) or {@code error} (an integer
 * {@code code}, a string {@code message}), not both, and an {@code id}; and the params the library reads typed are of
 * their type (see {@link #paramsProblem}).
 *
 * <p>A message that fails is answered HTTP 400 with a JSON-RPC error: {@code -32700} (not JSON, or no body),
 * {@code -32600} (not a message of the right shape) or {@code -32602} (its params), with the message's {@code id} when
 * that id is valid, else {@code null}. A batch is refused whole, with {@code id} null and the index of the first bad
 * message: nothing of it has run. The HTTP refusals of {@code /mcp} made after this check's first route (the library's
 * unknown session 404, wrong method 405, wrong {@code Accept} 400; 413 past the body limit) are JSON-RPC errors
 * {@code -32600} with {@code id} null, written by {@link HttpRefusals} through {@link HttpRefusals#REFUSAL_BODY}.
 */
@ApplicationScoped
public class McpMessageCheck {

    /** The path the library serves Streamable HTTP on ({@code quarkus.mcp.server.http.root-path} unset). */
    static final String PATH = "/mcp";
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int INVALID_PARAMS = -32602;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A refused message: the JSON-RPC error code, the id to answer with (null: unknown), and why. */
    record Refusal(int code, JsonNode id, String message) {
    }

    /** Trailing tokens fail the parse: the library's decoder refuses them too, and one body is one value. */
    private final ObjectReader reader;
    /**
     * Reads the body before the library's route (whose own body handler then lets it through as read), up to
     * {@code quarkus.http.limits.max-body-size}; past it the route fails with 413.
     */
    private final BodyHandler bodies;

    public McpMessageCheck(ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.reader = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.bodies = BodyHandler.create(false).setPreallocateBodyBuffer(true)
                .setBodyLimit(maxBodySize.map(MemorySize::asLongValue).orElse(-1L));
    }

    void install(@Observes Router router) {
        // before HttpRefusals' body limit (order -3), so that its 413 on /mcp is a JSON-RPC error too; after its URI
        // check (first of all), whose refusal of a target that is no URI stays the envelope for every path
        router.route(PATH).order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 2)
                .handler(ctx -> {
                    ctx.put(HttpRefusals.REFUSAL_BODY, (HttpRefusals.RefusalBody) McpMessageCheck::httpRefusal);
                    ctx.next();
                });
        // after the body limits and authentication (filters have negative orders), before the library's routes
        // (framework routes without an order: 0 and up)
        router.post(PATH).order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1).handler(bodies).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        Optional<Refusal> refusal = refusal(body == null ? new byte[0] : body.getBytes());
        if (refusal.isEmpty()) {
            ctx.next();
            return;
        }
        ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(error(refusal.get()));
    }

    /** Why {@code body} is not one JSON-RPC message or batch the MCP server can take; empty when it is. */
    Optional<Refusal> refusal(byte[] body) {
        if (body.length == 0) {
            return refuse(PARSE_ERROR, null, "the body is empty: it must be a JSON-RPC message or a batch of them");
        }
        JsonNode root;
        try {
            root = reader.readTree(body);
        } catch (JacksonException e) {
            return refuse(PARSE_ERROR, null, "the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array cannot fail with I/O", e);
        }
        if (root == null || root.isMissingNode()) {
            return refuse(PARSE_ERROR, null, "the body holds no JSON value");
        }
        if (!root.isArray()) {
            return messageProblem(root);
        }
        if (root.isEmpty()) {
            return refuse(INVALID_REQUEST, null, "an empty batch: a batch holds at least one message");
        }
        for (int i = 0; i < root.size(); i++) {
            Optional<Refusal> problem = messageProblem(root.get(i));
            if (problem.isPresent()) {
                return refuse(problem.get().code(), null, "message " + i + " of the batch: "
                        + problem.get().message() + " (the batch is refused whole)");
            }
        }
        return Optional.empty();
    }

    private static Optional<Refusal> messageProblem(JsonNode message) {
        if (!message.isObject()) {
            return refuse(INVALID_REQUEST, null, "a JSON-RPC message is an object, not " + kind(message));
        }
        JsonNode id = message.get("id");
        boolean idValid = id == null || id.isTextual() || id.isNumber();
        JsonNode answerId = id != null && idValid ? id : null;
        JsonNode version = message.get("jsonrpc");
        if (version == null || !version.isTextual() || !version.textValue().equals("2.0")) {
            return refuse(INVALID_REQUEST, answerId, "\"jsonrpc\" must be the string \"2.0\", not " + kind(version));
        }
        if (!idValid) {
            return refuse(INVALID_REQUEST, null, "\"id\" must be a string or a number, not " + kind(id));
        }
        if (message.has("result") || message.has("error")) {
            return responseProblem(message, answerId);
        }
        JsonNode method = message.get("method");
        if (method == null || !method.isTextual()) {
            return refuse(INVALID_REQUEST, answerId, "\"method\" must be a string, not " + kind(method)
                    + " (a message without \"result\" or \"error\" is a request or a notification)");
        }
        JsonNode params = message.get("params");
        if (params != null && !params.isObject()) {
            return refuse(INVALID_REQUEST, answerId, "\"params\" must be an object when present, not " + kind(params));
        }
        return paramsProblem(method.textValue(), params).map(why -> new Refusal(INVALID_PARAMS, answerId, why));
    }

    /** A client's answer to a request of the server (sampling, elicitation, roots). */
    private static Optional<Refusal> responseProblem(JsonNode message, JsonNode id) {
        if (message.has("method")) {
            return refuse(INVALID_REQUEST, id, "a message with \"result\" or \"error\" is a response and has no \"method\"");
        }
        if (message.has("result") && message.has("error")) {
            return refuse(INVALID_REQUEST, id, "a response has \"result\" or \"error\", not both");
        }
        if (id == null) {
            return refuse(INVALID_REQUEST, null, "a response needs the \"id\" of the request it answers");
        }
        if (message.has("result")) {
            JsonNode result = message.get("result");
            return result.isObject() ? Optional.empty()
                    : refuse(INVALID_REQUEST, id, "\"result\" must be an object (MCP), not " + kind(result));
        }
        JsonNode error = message.get("error");
        if (!error.isObject() || !error.path("code").isIntegralNumber() || !error.path("message").isTextual()) {
            return refuse(INVALID_REQUEST, id, "\"error\" must be an object with an integer \"code\" and a string "
                    + "\"message\"");
        }
        return Optional.empty();
    }

    /**
     * What is wrong with {@code params} of {@code method}, for the members the MCP schema requires of it and the
     * library reads as objects (which it casts: any other type was a ClassCastException) or needs present; empty when
     * nothing. Methods it does not list the library answers itself (an unknown method, {@code -32601}).
     */
    static Optional<String> paramsProblem(String method, JsonNode params) {
        if (params != null && params.has("_meta") && !params.get("_meta").isObject()) {
            return Optional.of("params._meta must be an object when present, not " + kind(params.get("_meta")));
        }
        return switch (method) {
            case "initialize" -> initializeProblem(params);
            case "tools/call", "prompts/get" -> required(params, "name", JsonNode::isTextual, "a string")
                    .or(() -> optional(params, "arguments"));
            case "resources/read", "resources/subscribe", "resources/unsubscribe" ->
                    required(params, "uri", JsonNode::isTextual, "a string");
            case "completion/complete" -> required(params, "ref", JsonNode::isObject, "an object")
                    .or(() -> required(params, "argument", JsonNode::isObject, "an object"))
                    .or(() -> optional(params, "context"));
            case "logging/setLevel" -> required(params, "level", JsonNode::isTextual, "a string");
            default -> Optional.empty();
        };
    }

    private static Optional<String> initializeProblem(JsonNode params) {
        Optional<String> problem = required(params, "protocolVersion", JsonNode::isTextual, "a string")
                .or(() -> required(params, "capabilities", JsonNode::isObject, "an object"))
                .or(() -> required(params, "clientInfo", JsonNode::isObject, "an object"));
        if (problem.isPresent()) {
            return problem;
        }
        JsonNode clientInfo = params.get("clientInfo");
        problem = required(clientInfo, "name", JsonNode::isTextual, "a string")
                .or(() -> required(clientInfo, "version", JsonNode::isTextual, "a string"))
                .map(why -> "clientInfo: " + why);
        if (problem.isPresent() || !clientInfo.has("icons")) {
            return problem;
        }
        // the library reads the icons as an array of objects, each with its sizes as an array
        JsonNode icons = clientInfo.get("icons");
        if (!icons.isArray()) {
            return Optional.of("clientInfo.icons must be an array when present, not " + kind(icons));
        }
        for (JsonNode icon : icons) {
            if (!icon.isObject() || icon.has("sizes") && !icon.get("sizes").isArray()) {
                return Optional.of("clientInfo.icons must hold objects, each with \"sizes\" an array when present");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> required(JsonNode params, String name, Predicate<JsonNode> type,
            String typeName) {
        JsonNode value = params == null ? null : params.get(name);
        return value != null && type.test(value) ? Optional.empty()
                : Optional.of("params." + name + " must be " + typeName + ", not " + kind(value));
    }

    private static Optional<String> optional(JsonNode params, String name) {
        JsonNode value = params == null ? null : params.get(name);
        return value == null || value.isObject() ? Optional.empty()
                : Optional.of("params." + name + " must be an object when present, not " + kind(value));
    }

    private static String kind(JsonNode value) {
        if (value == null) {
            return "absent";
        }
        return switch (value.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> value.getNodeType().toString().toLowerCase(Locale.ROOT);
        };
    }

    private static Optional<Refusal> refuse(int code, JsonNode id, String message) {
        return Optional.of(new Refusal(code, id, message));
    }

    private static String error(Refusal refusal) {
        ObjectNode answer = NODES.objectNode().put("jsonrpc", "2.0");
        answer.set("id", refusal.id() == null ? NODES.nullNode() : refusal.id());
        answer.putObject("error").put("code", refusal.code()).put("message", refusal.message());
        return answer.toString();
    }

    /**
     * A refusal of the HTTP request as a whole (no message of it was taken) as JSON-RPC error {@code -32600} with
     * {@code id} null; the HTTP status says which.
     */
    private static String httpRefusal(int status, String code, String message) {
        String why = switch (status) {
            case 404 -> "no MCP session has this Mcp-Session-Id (ended, or never opened): initialize a new one";
            case 405 -> "/mcp takes POST (messages), GET (the server's event stream) and DELETE (end a session)";
            case 400 -> "the request was refused: the Accept header must list application/json and text/event-stream, "
                    + "and an Mcp-Protocol-Version header must name a version the server speaks (" + message + ")";
            default -> message;
        };
        return error(new Refusal(INVALID_REQUEST, null, why + " [HTTP " + status + ", " + code + "]"));
    }
}

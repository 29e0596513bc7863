package io.envgrid.gateway.mcp.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.json.StrictJson;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.security.AccessGuard;
import io.envgrid.gateway.security.Authentication;
import io.envgrid.gateway.security.Principal;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;

/** What both MCP transports do with HTTP: the access check, JSON bodies, JSON-RPC error answers. */
@ApplicationScoped
public class HttpExchange {

    private final AccessGuard guard;
    /**
     * Reads request bodies strictly ({@link StrictJson}): a key twice in one object is a parse error (-32700), as
     * JSON-RPC answers a body that is no valid JSON text, and nothing of the message runs.
     */
    private final ObjectReader requests;

    public HttpExchange(AccessGuard guard, ObjectMapper json) {
        this.guard = guard;
        this.requests = StrictJson.reader(json);
    }

    /**
     * The principal the request acts for when it may go on; null when it has been answered (401/403
     * with a JSON-RPC error).
     */
    public Principal admitted(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Authentication outcome = guard.admit(AccessGuard.host(request), request.getHeader("Origin"),
                request.getHeader("Authorization"));
        if (outcome instanceof Authentication.Accepted accepted) {
            return accepted.principal();
        }
        ToolFailure failure = ((Authentication.Refused) outcome).failure();
        if (failure.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        sendJson(ctx.response(), failure.status(), JsonRpc.error(null, JsonRpc.ACCESS_DENIED, failure.getMessage()));
        return null;
    }

    /**
     * The body as JSON, or null after answering 400 with a parse error whose message says what was wrong and where
     * ({@code Parse error: duplicate key "name" at line 1, column 20}; {@link StrictJson#problem}).
     */
    public JsonNode body(RoutingContext ctx) {
        String problem;
        try {
            JsonNode message = ctx.body().buffer() == null ? null : requests.readTree(ctx.body().buffer().getBytes());
            if (message != null) {
                return message;
            }
            problem = "empty body";
        } catch (IOException e) {
            problem = StrictJson.problem(e);
        }
        sendJson(ctx.response(), 400, JsonRpc.error(null, JsonRpc.PARSE_ERROR, "Parse error: " + problem));
        return null;
    }

    public void sendJson(HttpServerResponse response, int status, ObjectNode body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    /**
     * A handler for every other method on an MCP path: 405 with {@code Allow} and a JSON-RPC
     * {@code -32600} (the HTTP request as a whole is not one the transport takes), rather than the
     * router's 404 for a path that exists.
     */
    public Handler<RoutingContext> methodNotAllowed(String allowed) {
        return ctx -> {
            ctx.response().putHeader("Allow", allowed);
            sendJson(ctx.response(), 405, JsonRpc.error(null, JsonRpc.INVALID_REQUEST,
                    "Method Not Allowed: " + ctx.request().method().name() + " " + ctx.request().path()
                            + " (allowed: " + allowed + ")"));
        };
    }

    /** One server-sent event carrying a JSON-RPC message. */
    public static String event(JsonNode message) {
        return "event: message\ndata: " + message + "\n\n";
    }

    /** One server-sent event carrying a JSON-RPC message (its text), with the event id when not null. */
    public static String event(Object message, String eventId) {
        return (eventId == null || eventId.isEmpty() ? "" : "id: " + eventId + "\n") + "event: message\ndata: " + message + "\n\n";
    }
}

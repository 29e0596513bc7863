package io.envgrid.gateway.mcp.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.security.AccessGuard;
import io.envgrid.gateway.security.Authentication;
import io.envgrid.gateway.security.Principal;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;

/** What both MCP transports do with HTTP: the access check, JSON bodies, JSON-RPC error answers. */
@ApplicationScoped
public class HttpExchange {

    private final AccessGuard guard;
    private final ObjectMapper json;

    public HttpExchange(AccessGuard guard, ObjectMapper json) {
        this.guard = guard;
        this.json = json;
    }

    /**
     * The principal the request acts for when it may go on; null when it has been answered (401/403
     * with a JSON-RPC error).
     */
    public Principal admitted(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Authentication outcome = guard.admit(request.getHeader("Host"), request.getHeader("Origin"),
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

    /** The body as JSON, or null after answering 400 with a parse error. */
    public JsonNode body(RoutingContext ctx) {
        try {
            JsonNode message = ctx.body().buffer() == null ? null : json.readTree(ctx.body().buffer().getBytes());
            if (message == null) {
                throw new IOException("empty body");
            }
            return message;
        } catch (IOException e) {
            sendJson(ctx.response(), 400, JsonRpc.error(null, JsonRpc.PARSE_ERROR, "Parse error: " + e.getMessage()));
            return null;
        }
    }

    public void sendJson(HttpServerResponse response, int status, ObjectNode body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    /** One server-sent event carrying a JSON-RPC message. */
    public static String event(JsonNode message) {
        return "event: message\ndata: " + message + "\n\n";
    }
}

package io.envgrid.gateway.mcp.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.cluster.Replica;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.mcp.protocol.McpProtocol;
import io.envgrid.gateway.mcp.protocol.Responder;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.mcp.session.RevokedSessions;
import io.envgrid.gateway.mcp.session.SessionLifecycle;
import io.envgrid.gateway.security.Principal;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05), which the rollout framework's MCP client speaks: {@code GET /sse}
 * opens the session's event stream and names the endpoint for messages; {@code POST
 * /messages?sessionId=} takes one JSON-RPC message, answers 202, and the response travels down
 * the stream. Closing the stream ends the session.
 */
@ApplicationScoped
public class LegacySseTransport {

    private static final Logger LOG = Logger.getLogger(LegacySseTransport.class);

    private final McpProtocol protocol;
    private final McpSessions sessions;
    private final SessionLifecycle lifecycle;
    private final SseRelay relay;
    private final HttpExchange http;
    private final Replica replica;
    private final long bodyLimit;
    private final long keepAliveMs;
    private final RevokedSessions revokedSessions;

    public LegacySseTransport(McpProtocol protocol, McpSessions sessions, SessionLifecycle lifecycle, SseRelay relay,
            HttpExchange http, Replica replica, GatewayConfig config, RevokedSessions revokedSessions,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize bodyLimit) {
        this.protocol = protocol;
        this.sessions = sessions;
        this.lifecycle = lifecycle;
        this.relay = relay;
        this.http = http;
        this.replica = replica;
        this.bodyLimit = bodyLimit.asLongValue();
        this.keepAliveMs = config.mcp().sseKeepAlive().toMillis();
        this.revokedSessions = revokedSessions;
    }

    void routes(@Observes Router router) {
        router.get("/sse").handler(this::open);
        router.post("/messages").handler(BodyHandler.create(false).setBodyLimit(bodyLimit)).handler(this::message);
        router.route("/sse").handler(http.methodNotAllowed("GET"));
        router.route("/messages").handler(http.methodNotAllowed("POST"));
    }

    private void open(RoutingContext ctx) {
        Principal principal = http.admitted(ctx);
        if (principal == null) {
            return;
        }
        sessions.create(McpSession.SSE, "2024-11-05", null, replica.id(), principal).subscribe().with(session -> {
            HttpServerResponse response = ctx.response();
            response.setStatusCode(200).setChunked(true)
                    .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
            relay.open(session.id(), response, ctx.vertx().getOrCreateContext());
            response.write("event: endpoint\ndata: /messages?sessionId=" + session.id() + "\n\n");
            Vertx vertx = ctx.vertx();
            // the session may end on another replica, or its token be revoked: each keep-alive asks Redis, and such a
            // stream is ended here (nothing relies on the message having reached this replica)
            long timer = vertx.setPeriodic(keepAliveMs, t -> revokedSessions.peekLive(session.id()).subscribe().with(
                    fields -> {
                        if (fields.isEmpty()) {
                            relay.end(session.id());
                        } else {
                            relay.keepAlive(session.id());
                        }
                    }, e -> relay.keepAlive(session.id())));
            AtomicBoolean over = new AtomicBoolean();
            Handler<Void> finished = v -> {
                if (!over.compareAndSet(false, true)) {
                    return;
                }
                vertx.cancelTimer(timer);
                relay.close(session.id());
                // ending the session cancels its calls still running (their answers have nowhere to go)
                lifecycle.end(session.id(), "event stream closed").subscribe().with(x -> { },
                        e -> LOG.warnf("ending session %s failed: %s", session.id(), e.getMessage()));
            };
            // ended by this server (session gone, token revoked) or closed by the client: either way it is over
            response.endHandler(finished);
            response.closeHandler(finished);
        }, e -> http.sendJson(ctx.response(), 503, JsonRpc.error(null, JsonRpc.INTERNAL_ERROR,
                "session store unavailable: " + e.getMessage())));
    }

    private void message(RoutingContext ctx) {
        Principal principal = http.admitted(ctx);
        if (principal == null) {
            return;
        }
        String sessionId = ctx.request().getParam("sessionId");
        if (sessionId == null || sessionId.isBlank()) {
            http.sendJson(ctx.response(), 400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "sessionId is required"));
            return;
        }
        JsonNode message = http.body(ctx);
        if (message == null) {
            return;
        }
        if (!JsonRpc.isValid(message)) {
            http.sendJson(ctx.response(), 400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "Invalid Request"));
            return;
        }
        // a session opened by another principal is answered as unknown before anything is done
        sessions.find(sessionId, principal).subscribe().with(session -> {
            if (session == null || !McpSession.SSE.equals(session.transport())) {
                http.sendJson(ctx.response(), 404, JsonRpc.error(message.get("id"), JsonRpc.SESSION_NOT_FOUND, "Session not found"));
                return;
            }
            ctx.response().setStatusCode(202).end("Accepted");
            protocol.handle(session, principal, message, new Responder() {
                @Override
                public boolean streams() {
                    return true;
                }

                @Override
                public void notify(ObjectNode notification) {
                    deliver(session, notification);
                }

                @Override
                public void respond(ObjectNode answer) {
                    deliver(session, answer);
                }
            });
        }, e -> http.sendJson(ctx.response(), 503, JsonRpc.error(message.get("id"), JsonRpc.INTERNAL_ERROR,
                "session store unavailable: " + e.getMessage())));
    }

    private void deliver(McpSession session, ObjectNode message) {
        relay.deliver(session, message).subscribe().with(v -> { },
                e -> LOG.warnf("could not relay a message to session %s: %s", session.id(), e.getMessage()));
    }
}

package io.envgrid.gateway.mcp.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.mcp.notify.StandaloneStream;
import io.envgrid.gateway.mcp.protocol.InFlightCalls;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.mcp.protocol.McpProtocol;
import io.envgrid.gateway.mcp.protocol.Responder;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.mcp.session.SessionLifecycle;
import io.envgrid.gateway.security.Principal;
import io.netty.channel.EventLoop;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * MCP Streamable HTTP (2025-11-25) at {@code /mcp}: POST carries one JSON-RPC message; a request is
 * answered with JSON, or with an event stream when it asked for progress; {@code initialize}
 * opens a session ({@code Mcp-Session-Id}) that lives in Redis, so any replica serves it; DELETE
 * ends it; GET opens the session's standalone stream for server-initiated messages ({@link StandaloneStream}).
 */
@ApplicationScoped
public class StreamableHttpTransport {

    private static final Logger LOG = Logger.getLogger(StreamableHttpTransport.class);
    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String VERSION_HEADER = "MCP-Protocol-Version";

    private final McpProtocol protocol;
    private final McpSessions sessions;
    private final InFlightCalls inFlight;
    private final SessionLifecycle lifecycle;
    private final HttpExchange http;
    private final StandaloneStream standaloneStream;
    private final long bodyLimit;

    public StreamableHttpTransport(McpProtocol protocol, McpSessions sessions, SessionLifecycle lifecycle,
            HttpExchange http, StandaloneStream standaloneStream, InFlightCalls inFlight, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize bodyLimit) {
        this.protocol = protocol;
        this.sessions = sessions;
        this.inFlight = inFlight;
        this.lifecycle = lifecycle;
        this.http = http;
        this.standaloneStream = standaloneStream;
        this.bodyLimit = bodyLimit.asLongValue();
    }

    void routes(@Observes Router router) {
        router.post("/mcp").handler(BodyHandler.create(false).setBodyLimit(bodyLimit)).handler(this::post);
        router.get("/mcp").handler(standaloneStream::open);
        router.delete("/mcp").handler(this::delete);
        // after the three above, so it answers only the methods they do not take (PUT, PATCH, HEAD, ...)
        router.route("/mcp").handler(http.methodNotAllowed("GET, POST, DELETE"));
    }

    private void post(RoutingContext ctx) {
        Principal principal = http.admitted(ctx);
        if (principal == null) {
            return;
        }
        JsonNode message = http.body(ctx);
        if (message == null) {
            return;
        }
        if (!JsonRpc.isValid(message)) {
            http.sendJson(ctx.response(), 400, JsonRpc.error(JsonRpc.answerableId(message), JsonRpc.INVALID_REQUEST,
                    "Invalid Request: one JSON-RPC 2.0 message per POST"));
            return;
        }
        String version = ctx.request().getHeader(VERSION_HEADER);
        if (version != null && !McpProtocol.VERSIONS.contains(version)) {
            http.sendJson(ctx.response(), 400, JsonRpc.error(message.get("id"), JsonRpc.INVALID_REQUEST,
                    "Unsupported protocol version: " + version));
            return;
        }
        if (JsonRpc.isRequest(message) && "initialize".equals(message.get("method").asText())) {
            initialize(ctx, message, principal);
            return;
        }
        String sessionId = ctx.request().getHeader(SESSION_HEADER);
        if (sessionId == null || sessionId.isBlank()) {
            http.sendJson(ctx.response(), 400, JsonRpc.error(message.get("id"), JsonRpc.INVALID_REQUEST,
                    "Bad Request: " + SESSION_HEADER + " header is required"));
            return;
        }
        // a session opened by another principal is answered as unknown before anything is done
        sessions.find(sessionId, principal).subscribe().with(session -> {
            if (session == null) {
                http.sendJson(ctx.response(), 404, JsonRpc.error(message.get("id"), JsonRpc.SESSION_NOT_FOUND, "Session not found"));
            } else if (!JsonRpc.isRequest(message)) {
                protocol.handle(session, principal, message, null);
                ctx.response().setStatusCode(202).end();
            } else {
                protocol.handle(session, principal, message, responder(ctx, wantsStream(ctx, message)));
                cancelWhenAbandoned(ctx, session.id(), message.get("id"));
            }
        }, e -> unavailable(ctx, message, e));
    }

    /**
     * A client that closes the connection before its answer is a cancellation: this transport has
     * no resumable stream that could deliver the answer later (the spec lets a server go on only
     * when it can), so a waiting allocation is withdrawn and a grant that raced is undone, as for
     * {@code notifications/cancelled}. Only tool calls are registered as cancellable.
     */
    private void cancelWhenAbandoned(RoutingContext ctx, String sessionId, JsonNode requestId) {
        HttpServerResponse response = ctx.response();
        Runnable abandon = () -> {
            if (!response.ended()) {
                inFlight.abandoned(sessionId, requestId.toString());
            }
        };
        response.closeHandler(v -> abandon.run());
        if (response.closed()) {
            abandon.run(); // closed before the handler was in place
        }
    }

    private void initialize(RoutingContext ctx, JsonNode message, Principal principal) {
        String problem = McpProtocol.initializeProblem(message.get("params"));
        if (problem != null) {
            http.sendJson(ctx.response(), 400, McpProtocol.invalidInitialize(message.get("id"), problem));
            return;
        }
        String version = McpProtocol.negotiate(message.path("params"));
        String client = message.path("params").path("clientInfo").path("name").asText("");
        sessions.create(McpSession.STREAMABLE, version, client, null, principal).subscribe().with(session -> {
            ctx.response().putHeader(SESSION_HEADER, session.id());
            http.sendJson(ctx.response(), 200, JsonRpc.result(message.get("id"), protocol.initializeResult(version)));
        }, e -> unavailable(ctx, message, e));
    }

    private void delete(RoutingContext ctx) {
        Principal principal = http.admitted(ctx);
        if (principal == null) {
            return;
        }
        String sessionId = ctx.request().getHeader(SESSION_HEADER);
        if (sessionId == null || sessionId.isBlank()) {
            http.sendJson(ctx.response(), 400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, SESSION_HEADER + " header is required"));
            return;
        }
        sessions.find(sessionId, principal).chain(session -> session == null ? io.smallrye.mutiny.Uni.createFrom().item(false)
                : lifecycle.end(sessionId, "deleted by client").replaceWith(true))
                .subscribe().with(found -> {
                    if (found) {
                        standaloneStream.ended(sessionId);
                        ctx.response().setStatusCode(204).end();
                    } else {
                        http.sendJson(ctx.response(), 404, JsonRpc.error(null, JsonRpc.SESSION_NOT_FOUND, "Session not found"));
                    }
                }, e -> unavailable(ctx, null, e));
    }

    /** A stream only when the client accepts one and asked for progress: plain JSON is cheaper for everything else. */
    private static boolean wantsStream(RoutingContext ctx, JsonNode message) {
        String accept = ctx.request().getHeader("Accept");
        return accept != null && accept.contains("text/event-stream")
                && message.path("params").path("_meta").hasNonNull("progressToken");
    }

    private Responder responder(RoutingContext ctx, boolean stream) {
        HttpServerResponse response = ctx.response();
        if (!stream) {
            // the request's event loop (post runs on it); an answer produced there is sent at once
            EventLoop loop = ((ContextInternal) ctx.vertx().getOrCreateContext()).nettyEventLoop();
            return new Responder() {
                @Override
                public boolean streams() {
                    return false;
                }

                @Override
                public void notify(ObjectNode notification) {
                    // no channel for notifications on a JSON answer
                }

                /**
                 * On the request's event loop (a non-blocking tool's answer arrives there), sent at once: queued as a
                 * task it waited behind whatever the loop had queued meanwhile (the call's own fire-and-forget Redis
                 * replies). From any other thread it is handed to the loop, as before.
                 */
                @Override
                public void respond(ObjectNode answer) {
                    if (loop.inEventLoop()) {
                        http.sendJson(response, 200, answer);
                    } else {
                        ctx.vertx().runOnContext(v -> http.sendJson(response, 200, answer));
                    }
                }
            };
        }
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        return new Responder() {
            @Override
            public boolean streams() {
                return true;
            }

            @Override
            public void notify(ObjectNode notification) {
                ctx.vertx().runOnContext(v -> {
                    if (!response.ended() && !response.closed()) {
                        response.write(HttpExchange.event(notification));
                    }
                });
            }

            @Override
            public void respond(ObjectNode answer) {
                ctx.vertx().runOnContext(v -> {
                    if (!response.ended() && !response.closed()) {
                        response.end(HttpExchange.event(answer));
                    }
                });
            }
        };
    }

    private void unavailable(RoutingContext ctx, JsonNode message, Throwable e) {
        LOG.warnf("MCP request failed before reaching a tool: %s", e.getMessage());
        JsonNode id = message == null ? null : message.get("id");
        http.sendJson(ctx.response(), 503, JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, "session store unavailable: " + e.getMessage()));
    }
}

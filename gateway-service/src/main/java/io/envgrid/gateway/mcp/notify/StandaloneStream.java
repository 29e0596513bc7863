package io.envgrid.gateway.mcp.notify;

import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.mcp.transport.HttpExchange;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.mcp.session.RevokedSessions;
import io.envgrid.gateway.mcp.session.StreamOwnership;
import io.envgrid.gateway.security.Principal;
import io.smallrye.mutiny.Uni;
import io.envgrid.gateway.cluster.Replica;
import io.envgrid.gateway.mcp.transport.EventIds;
import io.envgrid.gateway.mcp.transport.SseRelay;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The Streamable HTTP transport's standalone stream ({@code GET /mcp} with {@code Mcp-Session-Id}):
 * the one event stream on which the server sends what no request asked for — log messages,
 * resource updates, list changes. The replica that holds it records itself and the stream's id as
 * the session's stream owner ({@link StreamOwnership}), so a notification raised on any replica
 * reaches it through {@link SseRelay}. A second GET for the same session takes the stream over
 * (the protocol allows one per session); closing it ends nothing but the stream, and the end of a
 * stream that was taken over leaves its successor's claim alone. Each message carries an event id; a GET with
 * {@code Last-Event-ID} (MCP's resumability) first gets the session's messages after that id,
 * from any replica, as long as they are among the last 256 recorded; a malformed or unknown id
 * replays nothing. A client that leaves while the claim is being made leaves no claim behind (it is given back as soon as
 * it lands), and a stream whose claim another replica took over is ended at its next keep-alive.
 */
@ApplicationScoped
public class StandaloneStream {

    private static final Logger LOG = Logger.getLogger(StandaloneStream.class);
    private static final String SESSION_HEADER = "Mcp-Session-Id";

    private final McpSessions sessions;
    private final SseRelay relay;
    private final HttpExchange http;
    private final Replica replica;
    private final StreamOwnership ownership;
    private final long keepAliveMs;
    private final RevokedSessions revokedSessions;

    public StandaloneStream(McpSessions sessions, SseRelay relay, HttpExchange http, Replica replica,
            StreamOwnership ownership, GatewayConfig config, RevokedSessions revokedSessions) {
        this.sessions = sessions;
        this.revokedSessions = revokedSessions;
        this.ownership = ownership;
        this.relay = relay;
        this.http = http;
        this.replica = replica;
        this.keepAliveMs = config.mcp().sseKeepAlive().toMillis();
    }

    /**
     * Handles {@code GET /mcp}: 406 without {@code Accept: text/event-stream}, 400 without a
     * session id, 404 for an unknown session or one another principal opened, else a {@code text/event-stream} that stays open.
     */
    public void open(RoutingContext ctx) {
        Principal principal = http.admitted(ctx);
        if (principal == null) {
            return;
        }
        String accept = ctx.request().getHeader("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            http.sendJson(ctx.response(), 406, JsonRpc.error(null, JsonRpc.INVALID_REQUEST,
                    "Not Acceptable: GET /mcp opens a text/event-stream"));
            return;
        }
        String sessionId = ctx.request().getHeader(SESSION_HEADER);
        if (sessionId == null || sessionId.isBlank()) {
            http.sendJson(ctx.response(), 400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST,
                    "Bad Request: " + SESSION_HEADER + " header is required"));
            return;
        }
        String streamId = UUID.randomUUID().toString();
        // the claim's answer may arrive on another thread: the stream is set up on the request's own context, where its
        // close is noticed too, so a close cannot slip in between the check below and the handlers being installed
        Context requestContext = ctx.vertx().getOrCreateContext();
        sessions.find(sessionId, principal)
                .chain(session -> session == null || !McpSession.STREAMABLE.equals(session.transport())
                        ? io.smallrye.mutiny.Uni.createFrom().<String>nullItem()
                        : ownership.claimAt(sessionId, replica.id(), streamId))
                .subscribe().with(recordedUpTo -> {
                    if (recordedUpTo == null) {
                        http.sendJson(ctx.response(), 404, JsonRpc.error(null, JsonRpc.SESSION_NOT_FOUND, "Session not found"));
                        return;
                    }
                    requestContext.runOnContext(v -> stream(ctx, sessionId, streamId, requestContext, recordedUpTo));
                }, e -> http.sendJson(ctx.response(), 503, JsonRpc.error(null, JsonRpc.INTERNAL_ERROR,
                        "session store unavailable: " + e.getMessage())));
    }

    /** The session ended: its stream, if held here, ends too. */
    public void ended(String sessionId) {
        relay.end(sessionId);
    }

    private void stream(RoutingContext ctx, String sessionId, String streamId, Context context, String recordedUpTo) {
        HttpServerResponse response = ctx.response();
        if (response.closed()) {
            // the client left during the claim's round trip: no close will be reported any more, so the claim is
            // given back here, or the session's messages would go to this dead response until its next GET
            release(sessionId, streamId);
            return;
        }
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
                .putHeader(SESSION_HEADER, sessionId);
        String lastEventId = ctx.request().getHeader("Last-Event-ID");
        boolean resume = EventIds.valid(lastEventId);
        relay.open(sessionId, response, ctx.vertx().getOrCreateContext(), resume ? lastEventId : null, recordedUpTo);
        // the headers go out now: a client waits for them before it counts the stream as open
        response.write(": stream open\n\n");
        if (resume) {
            sessions.eventsAfter(sessionId, lastEventId).subscribe().with(events -> relay.replayed(sessionId, response, events),
                    e -> {
                        LOG.warnf("replaying session %s after %s failed: %s", sessionId, lastEventId, e.getMessage());
                        relay.replayed(sessionId, response, List.of());
                    });
        }
        Vertx vertx = ctx.vertx();
        // the session may end on another replica: each keep-alive also checks that it still exists
        // ... and that this stream still holds the claim: one taken over on another replica gets no more messages here
        // ... and that its token has not been revoked (asked of Redis: the revocation's message may have been missed)
        long timer = vertx.setPeriodic(keepAliveMs, t -> revokedSessions.peekLive(sessionId).subscribe().with(fields -> {
            if (fields.isEmpty()) {
                ended(sessionId);
            } else if (!streamId.equals(fields.get("stream"))) {
                // end this response only: the session's stream on this replica may already be its successor
                context.runOnContext(v -> {
                    if (!response.ended() && !response.closed()) {
                        response.end();
                    }
                });
            } else {
                relay.keepAlive(sessionId);
            }
        }, e -> relay.keepAlive(sessionId)));
        // a stream taken over is ended by this server (no close follows), a lost one is closed: either way it is over
        AtomicBoolean over = new AtomicBoolean();
        Handler<Void> finished = v -> {
            if (!over.compareAndSet(false, true)) {
                return;
            }
            vertx.cancelTimer(timer);
            relay.close(sessionId, response);
            release(sessionId, streamId);
        };
        response.endHandler(finished);
        response.closeHandler(finished);
    }

    /** Gives the session's claim back if {@code streamId} still holds it (a successor's claim is left alone). */
    private void release(String sessionId, String streamId) {
        ownership.release(sessionId, streamId).subscribe().with(x -> { },
                e -> LOG.warnf("releasing the stream of session %s failed: %s", sessionId, e.getMessage()));
    }
}

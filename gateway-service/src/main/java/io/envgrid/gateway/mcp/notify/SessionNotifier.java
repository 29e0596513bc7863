package io.envgrid.gateway.mcp.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.mcp.session.Audience;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.mcp.transport.SseRelay;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Server-initiated messages to MCP sessions, wherever their stream is: the replica holding the
 * session's event stream (a Streamable HTTP {@code GET /mcp} or the legacy {@code GET /sse}) is
 * recorded in the session ({@code owner}), and {@link SseRelay} writes there or publishes to that
 * replica's Redis channel. A Streamable HTTP session's messages are also recorded (the last
 * {@code 256}, in Redis) under increasing event ids, so a client that lost its {@code GET /mcp}
 * stream gets them on reconnecting with {@code Last-Event-ID}, even those raised while it had no
 * stream. The script that records such a message also publishes it to the stream's replica, in the same
 * step: messages raised at once on any replicas reach the stream in the order of their event ids. A legacy
 * SSE session without an open stream gets nothing: that protocol has no resumption.
 */
@ApplicationScoped
public class SessionNotifier {

    private final McpSessions sessions;
    private final SseRelay relay;

    public SessionNotifier(McpSessions sessions, SseRelay relay) {
        this.sessions = sessions;
        this.relay = relay;
    }

    /**
     * Sends {@code message} to every live session bound to the worker that is in {@code audience} (its log level,
     * its subscriptions); completes when all were handed on. The sessions are selected in Redis in one step: this
     * runs after every renewal and desktop action, and usually no session wants the message.
     */
    public Uni<Void> toWorker(String workerId, Audience audience, ObjectNode message) {
        return sessions.wanting(workerId, audience).chain(wanted -> toSessions(wanted, message));
    }

    /**
     * Sends {@code message} to these sessions, already selected (by {@link McpSessions#wanting}, or its Lua made by a
     * renewal's own script: {@link McpSessions#wantingRead}); completes when all were handed on.
     */
    public Uni<Void> toSessions(List<McpSession> wanted, ObjectNode message) {
        // usually nobody wants it: then no stream of deliveries is built (each Mutiny stage costs a context capture)
        return wanted.isEmpty() ? Uni.createFrom().voidItem()
                : Multi.createFrom().iterable(wanted).onItem().transformToUniAndMerge(session -> deliver(session, message))
                        .collect().last().replaceWithVoid();
    }

    /**
     * Sends {@code message} to one session if it is live and its stored fields pass {@code wanted}; answers whether
     * it was handed on (false: the session is gone or did not want it).
     */
    public Uni<Boolean> toSession(String id, Predicate<Map<String, String>> wanted, ObjectNode message) {
        return sessions.peek(id).chain(fields -> !fields.isEmpty() && wanted.test(fields)
                ? deliver(McpSessions.session(id, fields), message).replaceWith(true) : Uni.createFrom().item(false));
    }

    private Uni<Void> deliver(McpSession session, ObjectNode message) {
        if (!McpSession.STREAMABLE.equals(session.transport())) {
            return session.streamOwner() != null ? relay.deliver(session, message) : Uni.createFrom().voidItem();
        }
        // recorded and relayed in one Redis step: the stream gets the session's messages in the order of their ids
        return sessions.appendEvent(session.id(), message.toString(), relay.channelPrefix()).replaceWithVoid();
    }
}

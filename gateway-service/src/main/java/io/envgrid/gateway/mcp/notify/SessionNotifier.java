package io.envgrid.gateway.mcp.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.mcp.transport.SseRelay;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
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
     * Sends {@code message} to every live session bound to the worker whose stored fields pass
     * {@code wanted} (its log level, its subscriptions); completes when all were handed on.
     */
    public Uni<Void> toWorker(String workerId, Predicate<Map<String, String>> wanted, ObjectNode message) {
        return sessions.sessionsOf(workerId)
                .onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndMerge(id -> sessions.peek(id)
                        .chain(fields -> wanted.test(fields) ? deliver(id, fields, message) : Uni.createFrom().voidItem()))
                .collect().last().replaceWithVoid();
    }

    /**
     * Sends {@code message} to one session if it is live and its stored fields pass {@code wanted}; answers whether
     * it was handed on (false: the session is gone or did not want it).
     */
    public Uni<Boolean> toSession(String id, Predicate<Map<String, String>> wanted, ObjectNode message) {
        return sessions.peek(id).chain(fields -> !fields.isEmpty() && wanted.test(fields)
                ? deliver(id, fields, message).replaceWith(true) : Uni.createFrom().item(false));
    }

    private Uni<Void> deliver(String id, Map<String, String> fields, ObjectNode message) {
        String owner = fields.get("owner");
        boolean streamed = owner != null && !owner.isBlank();
        McpSession session = new McpSession(id, fields.get("transport"), fields.get("protocol"), fields.get("worker"), owner);
        if (!McpSession.STREAMABLE.equals(fields.get("transport"))) {
            return streamed ? relay.deliver(session, message) : Uni.createFrom().voidItem();
        }
        // recorded and relayed in one Redis step: the stream gets the session's messages in the order of their ids
        return sessions.appendEvent(id, message.toString(), relay.channelPrefix()).replaceWithVoid();
    }
}

package io.envgrid.gateway.mcp.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.cluster.Replica;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.redis.KeptSubscription;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * The sessions' event streams (legacy {@code GET /sse}, Streamable HTTP {@code GET /mcp}). A stream
 * lives on the replica the client's GET reached; a message raised on another replica is relayed
 * to the owner through the owner's Redis channel, so the round-robin proxy in front may send the
 * POSTs anywhere. A message may carry an event id ({@code id:} line, the standalone stream's);
 * a stream resumed with {@code Last-Event-ID} first gets the recorded messages after that id
 * ({@link #replayed}) and holds live ones back meanwhile, so nothing is lost or doubled. A
 * recorded message is published by the script that records it, so a session's messages arrive in
 * the order of their ids from any replica. Recorded and relayed in two round trips (on pooled
 * connections), two messages raised at once (a grant's lease update and its log message) could
 * arrive in the other order, and the later arrival was dropped as a copy: live messages are
 * therefore written as they arrive, only a copy of one replayed is left out.
 *
 * <p>A message published while this replica's relay subscription was lost (its Redis connection ended) never
 * arrives. From the loss ({@link #relayLost()}) every open stream whose messages are recorded (the standalone stream)
 * holds live messages back, as during a replay, and notes the last recorded message it wrote; once the subscription
 * is in place again ({@link #catchUp()}) it gets the recorded messages after that one, then the live ones held back
 * (a copy of one replayed left out): each is written once and in the order of the ids. Legacy {@code /sse} streams
 * are not recorded: nothing to catch up with there.
 */
@ApplicationScoped
public class SseRelay {

    private static final Logger LOG = Logger.getLogger(SseRelay.class);

    /** One open stream; its mutable fields are touched only on its context. */
    private static final class Stream {
        final HttpServerResponse response;
        final Context context;
        /** Live messages held back while a replay is under way; null when none is. */
        List<String[]> pending;
        /** Replays under way (a resume's, a catch-up's): live messages are held back until the last one is written. */
        int replays;
        /**
         * The last recorded message the client has (written here, or its {@code Last-Event-ID}), else the last one
         * recorded when the stream was claimed: a catch-up starts after it. Null for a stream whose messages are not
         * recorded (legacy {@code /sse}).
         */
        String writtenUpTo;
        /** Where this stream's catch-up starts: set when the relay was lost (or the stream opened meanwhile). */
        String lostAfter;
        /**
         * The client has every recorded message up to this event id: its {@code Last-Event-ID}, then the last one
         * replayed (by a resume or a catch-up). A live message at or below it is a copy of one it has; null while
         * nothing was replayed.
         */
        String replayedUpTo;

        Stream(HttpServerResponse response, Context context, String lastEventId, String recordedUpTo) {
            this.response = response;
            this.context = context;
            this.replays = lastEventId != null ? 1 : 0;
            this.pending = lastEventId != null ? new ArrayList<>() : null;
            this.replayedUpTo = lastEventId;
            this.writtenUpTo = lastEventId != null ? lastEventId : recordedUpTo;
        }

        HttpServerResponse response() {
            return response;
        }

        Context context() {
            return context;
        }

        boolean writable() {
            return !response.ended() && !response.closed();
        }

        /** Writes one recorded message of the replay; the client has everything up to it from then on. */
        void writeReplayed(String eventId, String text) {
            if (replayedUpTo != null && EventIds.compare(eventId, replayedUpTo) <= 0) {
                return;
            }
            replayedUpTo = eventId;
            if (writable()) {
                response.write(text);
                wrote(eventId);
            }
        }

        /**
         * Writes one live message unless the replay already wrote it (its id is not after {@link #replayedUpTo}).
         * Its id is not compared with other live ones: a message raised a moment before another may arrive after
         * it, and dropping it as "already written" lost it (a lease update after the grant's log message).
         */
        void writeLive(String eventId, String text) {
            if (replayedUpTo != null && eventId != null && !eventId.isEmpty()
                    && EventIds.compare(eventId, replayedUpTo) <= 0) {
                return;
            }
            if (writable()) {
                response.write(text);
                if (eventId != null && !eventId.isEmpty()) {
                    wrote(eventId);
                }
            }
        }

        private void wrote(String eventId) {
            if (writtenUpTo != null && EventIds.compare(eventId, writtenUpTo) > 0) {
                writtenUpTo = eventId;
            }
        }

        /** The relay was lost: live messages are held back until the catch-up after {@link #writtenUpTo}. */
        void holdForCatchUp() {
            if (writtenUpTo != null && lostAfter == null) {
                lostAfter = writtenUpTo;
                replayBegins();
            }
        }

        /** A replay begins: live messages are held back until every replay under way has been written. */
        void replayBegins() {
            replays++;
            if (pending == null) {
                pending = new ArrayList<>();
            }
        }

        /** Writes a replay's recorded messages; after the last replay under way, the live ones held back meanwhile. */
        void replayEnds(List<McpSessions.Event> events) {
            for (McpSessions.Event event : events) {
                writeReplayed(event.id(), HttpExchange.event(event.message(), event.id()));
            }
            replays = Math.max(0, replays - 1);
            if (replays == 0) {
                List<String[]> held = pending;
                pending = null;
                if (held != null) {
                    held.forEach(m -> writeLive(m[0], m[1]));
                }
            }
        }
    }

    private final ConcurrentMap<String, Stream> streams = new ConcurrentHashMap<>();
    private final ReactivePubSubCommands<String> pubsub;
    private final Replica replica;
    private final GatewayKeys keys;
    private final McpSessions sessions;
    /** From the relay subscription's loss until it is in place again: a stream opened meanwhile is held too. */
    private volatile boolean relayLost;
    private Cancellable subscription;

    public SseRelay(ReactiveRedisDataSource redis, Replica replica, GatewayKeys keys, McpSessions sessions) {
        this.pubsub = redis.pubsub(String.class);
        this.replica = replica;
        this.keys = keys;
        this.sessions = sessions;
    }

    void start(@Observes StartupEvent event) {
        subscription = KeptSubscription.keep(pubsub, "the session stream relay", this::onRelayed, this::relayLost, this::catchUp,
                keys.replicaChannel(replica.id()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscription != null) {
            subscription.cancel();
        }
        streams.values().forEach(s -> s.context().runOnContext(v -> {
            if (!s.response().ended()) {
                s.response().end();
            }
        }));
    }

    /** Holds the session's stream here; a stream it replaces (a client's second GET) is ended. */
    public void open(String sessionId, HttpServerResponse response, Context context) {
        open(sessionId, response, context, null, null);
    }

    /**
     * As {@link #open(String, HttpServerResponse, Context)} for a stream whose messages are recorded, resumed after
     * the event {@code lastEventId} (a valid id, or null for a fresh stream): live messages are held back until
     * {@link #replayed} has written the recorded ones, and those up to {@code lastEventId}, which the client has, are
     * not written again. {@code recordedUpTo} is the last message recorded when the stream was claimed (a fresh
     * stream's client has none of them, nor wants them): a {@link #catchUp()} of a fresh stream starts after it.
     */
    public void open(String sessionId, HttpServerResponse response, Context context, String lastEventId,
            String recordedUpTo) {
        Stream stream = new Stream(response, context, lastEventId, recordedUpTo);
        Stream previous = streams.put(sessionId, stream);
        if (relayLost) {
            // read after the put: either this or relayLost's pass over the streams holds it (holding is idempotent)
            context.runOnContext(v -> holdIfLost(stream));
        }
        if (previous != null && previous.response() != response) {
            previous.context().runOnContext(v -> {
                if (!previous.response().ended() && !previous.response().closed()) {
                    previous.response().end();
                }
            });
        }
    }

    public void close(String sessionId) {
        streams.remove(sessionId);
    }

    /** Ends the session's stream if this replica holds it: the session is over. */
    public void end(String sessionId) {
        Stream stream = streams.remove(sessionId);
        if (stream != null) {
            stream.context().runOnContext(v -> {
                if (!stream.response().ended() && !stream.response().closed()) {
                    stream.response().end();
                }
            });
        }
    }

    /** Forgets the session's stream if it is still this one (a newer stream may have replaced it). */
    public void close(String sessionId, HttpServerResponse response) {
        streams.computeIfPresent(sessionId, (id, stream) -> stream.response() == response ? null : stream);
    }

    /** Sends a JSON-RPC message down the session's stream, wherever it is held. */
    public Uni<Void> deliver(McpSession session, ObjectNode message) {
        return deliver(session, message, null);
    }

    /**
     * As {@link #deliver(McpSession, ObjectNode)}, as the event {@code eventId} (null: none). A recorded message
     * is relayed by the script that records it ({@link McpSessions#appendEvent(String, String, String)} with
     * {@link #channelPrefix()}), which keeps the order of a session's messages; this is for one recorded apart.
     */
    public Uni<Void> deliver(McpSession session, ObjectNode message, String eventId) {
        String id = eventId == null ? "" : eventId;
        if (replica.id().equals(session.streamOwner())) {
            writeLocally(session.id(), id, HttpExchange.event(message, eventId));
            return Uni.createFrom().voidItem();
        }
        return pubsub.publish(keys.replicaChannel(session.streamOwner()), session.id() + "\n" + id + "\n"
                + (id.isEmpty() ? HttpExchange.event(message, null) : message.toString()));
    }

    /**
     * The replicas' relay channels without the replica id: a payload {@code <session id>\n<event id>\n<message>}
     * published there reaches the stream held by that replica (an empty event id: the message is already an SSE event).
     */
    public String channelPrefix() {
        return keys.replicaChannel("");
    }

    /**
     * The recorded messages after the client's {@code Last-Event-ID} are written to the stream
     * {@code response} (if it is still the session's), then the live ones held back meanwhile.
     */
    public void replayed(String sessionId, HttpServerResponse response, List<McpSessions.Event> events) {
        Stream stream = streams.get(sessionId);
        if (stream == null || stream.response() != response) {
            return;
        }
        stream.context().runOnContext(v -> stream.replayEnds(events));
    }

    /**
     * The relay subscription was lost (after the messages that came on it): every recorded stream here notes the
     * last message it wrote and holds live ones back until {@link #catchUp()}.
     */
    void relayLost() {
        relayLost = true;
        streams.values().forEach(stream -> stream.context().runOnContext(v -> holdIfLost(stream)));
    }

    /** Holds only while the relay is still lost: once {@link #catchUp()} ran, a hold would never be released. */
    private void holdIfLost(Stream stream) {
        if (relayLost) {
            stream.holdForCatchUp();
        }
    }

    /**
     * The relay subscription is in place again: every recorded stream here gets the messages recorded after the last
     * one it wrote before the loss (they were published while nobody listened), in order, as a replay; then the live
     * ones held back meanwhile, leaving out a copy of one replayed.
     */
    void catchUp() {
        relayLost = false;
        streams.forEach((sessionId, stream) -> stream.context().runOnContext(v -> {
            // a stream opened just as the subscription came back may not be held yet: it is caught up all the same
            stream.holdForCatchUp();
            String after = stream.lostAfter;
            if (after == null) {
                return; // not recorded (legacy /sse)
            }
            stream.lostAfter = null;
            sessions.eventsAfter(sessionId, after).subscribe().with(
                    events -> stream.context().runOnContext(w -> stream.replayEnds(events)),
                    e -> {
                        LOG.warnf("catching session %s up after %s failed: %s", sessionId, after, e.getMessage());
                        stream.context().runOnContext(w -> stream.replayEnds(List.of()));
                    });
        }));
    }

    /** Comment line that keeps proxies from closing a quiet stream. */
    public void keepAlive(String sessionId) {
        Stream stream = streams.get(sessionId);
        if (stream != null) {
            stream.context().runOnContext(v -> {
                if (stream.writable()) {
                    stream.response().write(": keep-alive\n\n");
                }
            });
        }
    }

    private void onRelayed(String payload) {
        int first = payload.indexOf('\n');
        int second = first < 0 ? -1 : payload.indexOf('\n', first + 1);
        if (first > 0 && second > first) {
            String eventId = payload.substring(first + 1, second);
            String rest = payload.substring(second + 1);
            // a recorded message comes as its JSON (published by the recording script), the others as their SSE event
            writeLocally(payload.substring(0, first), eventId, eventId.isEmpty() ? rest : HttpExchange.event(rest, eventId));
        }
    }

    private void writeLocally(String sessionId, String eventId, String text) {
        Stream stream = streams.get(sessionId);
        if (stream == null) {
            // recorded all the same (a Streamable session's client gets it by resuming); visible, since it is lost live
            LOG.warnf("no stream for session %s here; message %s not relayed live", sessionId, eventId.isEmpty() ? "(unrecorded)" : eventId);
            return;
        }
        stream.context().runOnContext(v -> {
            if (stream.pending != null) {
                stream.pending.add(new String[] {eventId, text});
            } else {
                stream.writeLive(eventId, text);
            }
        });
    }
}

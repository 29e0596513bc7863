package io.envgrid.gateway.mcp.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.cluster.Replica;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.redis.GatewayKeys;
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
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * The legacy SSE transport's event streams. A stream lives on the replica the client's GET reached;
 * a message POSTed to another replica is answered there and relayed to the owner through the
 * owner's Redis channel, so the round-robin proxy in front may send the POSTs anywhere.
 */
@ApplicationScoped
public class SseRelay {

    private static final Logger LOG = Logger.getLogger(SseRelay.class);

    private record Stream(HttpServerResponse response, Context context) {
    }

    private final ConcurrentMap<String, Stream> streams = new ConcurrentHashMap<>();
    private final ReactivePubSubCommands<String> pubsub;
    private final Replica replica;
    private final GatewayKeys keys;
    private Cancellable subscription;

    public SseRelay(ReactiveRedisDataSource redis, Replica replica, GatewayKeys keys) {
        this.pubsub = redis.pubsub(String.class);
        this.replica = replica;
        this.keys = keys;
    }

    void start(@Observes StartupEvent event) {
        subscription = pubsub.subscribe(keys.replicaChannel(replica.id()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1)).indefinitely()
                .subscribe().with(this::onRelayed);
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
        Stream previous = streams.put(sessionId, new Stream(response, context));
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
        if (replica.id().equals(session.streamOwner())) {
            writeLocally(session.id(), HttpExchange.event(message));
            return Uni.createFrom().voidItem();
        }
        return pubsub.publish(keys.replicaChannel(session.streamOwner()), session.id() + "\n" + HttpExchange.event(message));
    }

    /** Comment line that keeps proxies from closing a quiet stream. */
    public void keepAlive(String sessionId) {
        writeLocally(sessionId, ": keep-alive\n\n");
    }

    private void onRelayed(String payload) {
        int newline = payload.indexOf('\n');
        if (newline > 0) {
            writeLocally(payload.substring(0, newline), payload.substring(newline + 1));
        }
    }

    private void writeLocally(String sessionId, String text) {
        Stream stream = streams.get(sessionId);
        if (stream == null) {
            LOG.debugf("no stream for session %s here; message dropped", sessionId);
            return;
        }
        stream.context().runOnContext(v -> {
            if (!stream.response().ended() && !stream.response().closed()) {
                stream.response().write(text);
            }
        });
    }
}

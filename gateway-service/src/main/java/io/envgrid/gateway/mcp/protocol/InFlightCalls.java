package io.envgrid.gateway.mcp.protocol;

import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.redis.KeptSubscription;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * Requests being worked on, so {@code notifications/cancelled}, a client that closed the connection
 * its call was waiting on, or the end of the session can stop them. The notification may reach
 * another replica than the one running the request, so cancellations go through a Redis channel
 * every replica listens to; a closed connection is always seen by the replica running the call.
 */
@ApplicationScoped
public class InFlightCalls {

    private static final Logger LOG = Logger.getLogger(InFlightCalls.class);

    private final ConcurrentMap<String, Runnable> running = new ConcurrentHashMap<>();
    private final ReactivePubSubCommands<String> pubsub;
    private final String channel;
    private Cancellable subscription;

    public InFlightCalls(ReactiveRedisDataSource redis, GatewayKeys keys) {
        this.pubsub = redis.pubsub(String.class);
        this.channel = keys.cancelChannel();
    }

    void start(@Observes StartupEvent event) {
        subscription = KeptSubscription.keep(pubsub, "the in-flight call cancellations", this::cancelLocally, channel);
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscription != null) {
            subscription.cancel();
        }
    }

    /** Stands for every request of a session; never a JSON-RPC id's text (a number or a quoted string). */
    private static final String EVERY_REQUEST = "*";

    private static String key(String sessionId, String requestId) {
        return sessionId + "\n" + requestId;
    }

    public void started(String sessionId, String requestId, Runnable cancel) {
        running.put(key(sessionId, requestId), cancel);
    }

    public void finished(String sessionId, String requestId) {
        running.remove(key(sessionId, requestId));
    }

    /** Asks every replica to stop this request; the one running it does. */
    public Uni<Void> cancel(String sessionId, String requestId) {
        if (cancelLocally(key(sessionId, requestId))) {
            return Uni.createFrom().voidItem();
        }
        return pubsub.publish(channel, key(sessionId, requestId));
    }

    /**
     * The client closed the connection this request was to be answered on: the same as its
     * cancellation, on this replica (which holds that connection and runs the call).
     */
    public void abandoned(String sessionId, String requestId) {
        cancelLocally(key(sessionId, requestId));
    }

    /** The session ended: every request of it still running, on any replica, is cancelled. */
    public Uni<Void> cancelAll(String sessionId) {
        String every = key(sessionId, EVERY_REQUEST);
        cancelLocally(every);
        return pubsub.publish(channel, every);
    }

    private boolean cancelLocally(String key) {
        if (key.endsWith("\n" + EVERY_REQUEST)) {
            String prefix = key.substring(0, key.length() - EVERY_REQUEST.length());
            running.keySet().stream().filter(k -> k.startsWith(prefix)).toList().forEach(this::cancelLocally);
            return false;
        }
        Runnable cancel = running.remove(key);
        if (cancel != null) {
            LOG.debugf("cancelling %s", key.replace('\n', '/'));
            cancel.run();
        }
        return cancel != null;
    }
}

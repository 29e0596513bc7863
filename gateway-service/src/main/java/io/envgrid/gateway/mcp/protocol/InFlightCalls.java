package io.envgrid.gateway.mcp.protocol;

import io.envgrid.gateway.redis.GatewayKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * Requests being worked on, so {@code notifications/cancelled} can stop them. The notification may
 * reach another replica than the one running the request, so cancellations go through a Redis
 * channel every replica listens to.
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
        subscription = pubsub.subscribe(channel)
                .onFailure().retry().withBackOff(Duration.ofSeconds(1)).indefinitely()
                .subscribe().with(this::cancelLocally);
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscription != null) {
            subscription.cancel();
        }
    }

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

    private boolean cancelLocally(String key) {
        Runnable cancel = running.remove(key);
        if (cancel != null) {
            LOG.debugf("cancelling %s", key.replace('\n', '/'));
            cancel.run();
        }
        return cancel != null;
    }
}

package io.envgrid.vmcontroller.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.vmcontroller.redis.RedisKeys;
import io.envgrid.vmcontroller.metrics.VmCallMetrics;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Ends the controller session of a lease the allocator reports expired or revoked, as early
 * tidy-up. Nothing depends on it: every call checks the allocator's lease record itself, so a
 * missed message (controller down, reconnecting) never lets a call through. Every replica listens;
 * ending is idempotent.
 */
@ApplicationScoped
public class LeaseEndListener {

    private static final Logger LOG = Logger.getLogger(LeaseEndListener.class);
    private static final Duration RESUBSCRIBE_DELAY = Duration.ofSeconds(1);

    /** The allocator's message on {@code {envgrid}:ch:expired}. */
    @RegisterForReflection
    public record LeaseEnded(String resourceId, String type, String workerId, String leaseId, Long fencingToken,
            String reason) {
    }

    private final ReactiveRedisDataSource redis;
    private final SessionStore store;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final VmCallMetrics metrics;
    private final String channel;
    private volatile boolean running = true;

    public LeaseEndListener(ReactiveRedisDataSource redis, SessionStore store, ObjectMapper json, Vertx vertx,
            VmCallMetrics metrics, RedisKeys keys) {
        this.redis = redis;
        this.store = store;
        this.json = json;
        this.vertx = vertx;
        this.metrics = metrics;
        this.channel = keys.expiredChannel();
    }

    void start(@Observes StartupEvent ignored) {
        subscribe();
    }

    void stop(@Observes ShutdownEvent ignored) {
        running = false;
    }

    private void subscribe() {
        if (!running) {
            return;
        }
        redis.pubsub(String.class)
                .subscribe(channel, this::onMessage, this::resubscribeLater, e -> resubscribeLater())
                .subscribe().with(s -> LOG.debugf("subscribed to %s", channel), e -> resubscribeLater());
    }

    private void resubscribeLater() {
        if (running) {
            vertx.setTimer(RESUBSCRIBE_DELAY.toMillis(), id -> subscribe());
        }
    }

    private void onMessage(String message) {
        LeaseEnded ended;
        try {
            ended = json.readValue(message, LeaseEnded.class);
        } catch (JsonProcessingException e) {
            LOG.warnf("ignoring unreadable message on %s: %s", channel, message);
            return;
        }
        if (ended.workerId() == null || ended.resourceId() == null || ended.leaseId() == null) {
            LOG.warnf("ignoring incomplete message on %s: %s", channel, message);
            return;
        }
        String reason = "lease_" + (ended.reason() == null ? "ended" : ended.reason());
        store.end(ended.workerId(), ended.resourceId(), ended.leaseId(), reason).subscribe().with(outcome -> {
            if (outcome == SessionStore.EndOutcome.ended) {
                metrics.sessionEnded(reason);
                LOG.infof("session of worker %s on %s ended: %s", ended.workerId(), ended.resourceId(), reason);
            }
        }, e -> LOG.warnf("could not end session of worker %s on %s: %s", ended.workerId(), ended.resourceId(),
                e.getMessage()));
    }
}

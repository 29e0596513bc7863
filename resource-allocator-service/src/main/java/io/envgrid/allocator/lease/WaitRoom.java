package io.envgrid.allocator.lease;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.cell.Cells;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * Where this replica's waiting allocations are parked while their ticket is queued in Redis. The
 * script that grants a ticket (a release, reclaim, registration, undrain, ... on any replica)
 * publishes the answer on this replica's channel {@code ch:w:<replica>} of the ticket's cell (one subscription
 * covers the channels of every cell; tickets are unique across cells) as
 * {@code {"ticket","answer":{status:granted,...}}}, or {@code {"ticket","retry":true}} when the
 * ticket was withdrawn and the request must be decided again (a request with the same request_id
 * was granted; the ticket was purged). Nothing here polls Redis.
 *
 * <p>Pub/sub loses messages while the subscription is down. The grant is never lost: it stays in
 * Redis ({@code ta:<ticket>}) until the waiter's deadline, and {@code cancel_wait.lua} hands it
 * over. After a resubscription every parked waiter is told to {@link Signal.Recheck} at once.
 */
@ApplicationScoped
public class WaitRoom {

    /** What ends a parked wait (the wait's own deadline and the client's going are the caller's). */
    public sealed interface Signal permits Signal.Granted, Signal.Retry, Signal.Recheck, Signal.ClientGone {
        /** The ticket was granted: {@code answer} is allocate.lua's granted answer. */
        record Granted(JsonNode answer) implements Signal { }

        /** The ticket was withdrawn in Redis; the request is to be decided again. */
        record Retry() implements Signal { }

        /** Notifications may have been lost: ask Redis what became of the ticket. */
        record Recheck() implements Signal { }

        /** The HTTP client went away. */
        record ClientGone() implements Signal { }
    }

    private static final Logger LOG = Logger.getLogger(WaitRoom.class);
    private static final Duration RESUBSCRIBE_DELAY = Duration.ofSeconds(1);

    private final ReactiveRedisDataSource redis;
    private final List<String> channels;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final ConcurrentMap<String, CompletableFuture<Signal>> parked = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile boolean subscribedBefore;

    public WaitRoom(ReactiveRedisDataSource redis, Cells cells, Replica replica, ObjectMapper json, Vertx vertx) {
        this.redis = redis;
        this.channels = cells.all().stream().map(c -> c.keys().waitersChannel(replica.id())).toList();
        this.json = json;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent ignored) {
        subscribe();
    }

    void stop(@Observes ShutdownEvent ignored) {
        running = false;
    }

    /**
     * Parks a waiter under its ticket before the ticket is queued (a grant may be published before
     * the queueing script's answer arrives); the future completes with the first signal.
     */
    public CompletableFuture<Signal> park(String ticket) {
        CompletableFuture<Signal> signal = new CompletableFuture<>();
        parked.put(ticket, signal);
        return signal;
    }

    /** Forgets a ticket; signals for it that arrive later are dropped. */
    public void leave(String ticket) {
        parked.remove(ticket);
    }

    private void message(String text) {
        try {
            JsonNode message = json.readTree(text);
            CompletableFuture<Signal> signal = parked.get(message.path("ticket").asText());
            if (signal != null) {
                signal.complete(message.has("answer") ? new Signal.Granted(message.get("answer")) : new Signal.Retry());
            }
        } catch (IOException e) {
            LOG.warnf("unreadable waiter notification dropped: %s", e.getMessage());
        }
    }

    private void subscribe() {
        if (!running) {
            return;
        }
        redis.pubsub(String.class)
                .subscribe(channels, this::message, this::resubscribeLater, e -> resubscribeLater())
                .subscribe().with(s -> {
                    LOG.debugf("subscribed to %s", channels);
                    if (subscribedBefore) {
                        parked.values().forEach(f -> f.complete(new Signal.Recheck()));
                    }
                    subscribedBefore = true;
                }, e -> resubscribeLater());
    }

    private void resubscribeLater() {
        if (running) {
            vertx.setTimer(RESUBSCRIBE_DELAY.toMillis(), id -> subscribe());
        }
    }
}

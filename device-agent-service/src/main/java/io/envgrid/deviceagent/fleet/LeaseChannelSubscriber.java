package io.envgrid.deviceagent.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * One subscription to the lease channel that stays up: a connection that ends, fails or cannot be made is made again
 * after a backoff (short at first, since a failover's new master usually answers within seconds; longer while Redis
 * stays away, the reconcile interval covering what is missed meanwhile), and every new connection subscribes again. With a Sentinel client ({@link RedisOptions} of type
 * {@code SENTINEL}) each connection asks the Sentinels for the current master, so after a failover (the old master
 * gone, or demoted: Sentinel then kills its pub/sub clients) the next connection is to the new master. A
 * {@code reason: "reset"} message for a resource {@code ours} accepts calls {@code wake}.
 */
final class LeaseChannelSubscriber {

    private static final Logger LOG = Logger.getLogger(LeaseChannelSubscriber.class);
    /**
     * Connect timeout: a master whose host vanished answers nothing, and Vert.x' default (60 s) would hold the next
     * attempt — the one that would ask the Sentinels for the new master — that long.
     */
    private static final int CONNECT_TIMEOUT_MS = 2000;

    private final Vertx vertx;
    private final Redis client;
    private final String channel;
    private final Predicate<String> ours;
    private final Runnable wake;
    private final ObjectMapper json;
    private volatile boolean running;
    private volatile RedisConnection connection;
    private final long firstRetryMs;
    private final long maxRetryMs;
    /** The wait before the next attempt; back to {@link #firstRetryMs} once subscribed. Event loop only. */
    private long retryMs;

    /**
     * @param retry the wait after a connection ended or failed, doubled per further failure up to {@code maxRetry}
     * @param ours whether a {@code resource_id} is one of the agent's desktops
     * @param wake what a reset message of one of them calls
     */
    LeaseChannelSubscriber(Vertx vertx, RedisOptions options, String channel, Duration retry, Duration maxRetry,
            Predicate<String> ours, Runnable wake, ObjectMapper json) {
        options.getNetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS);
        this.firstRetryMs = Math.max(1, retry.toMillis());
        this.maxRetryMs = Math.max(firstRetryMs, maxRetry.toMillis());
        this.retryMs = firstRetryMs;
        this.vertx = vertx;
        this.client = Redis.createClient(vertx, options);
        this.channel = channel;
        this.ours = ours;
        this.wake = wake;
        this.json = json;
    }

    /** Subscribes (and keeps subscribing) until {@link #close()}. */
    void start() {
        running = true;
        vertx.runOnContext(v -> subscribe());
    }

    /** Whether a connection is subscribed now (for tests and logs). */
    boolean subscribed() {
        return connection != null;
    }

    void close() {
        running = false;
        RedisConnection open = connection;
        connection = null;
        if (open != null) {
            open.close();
        }
        client.close();
    }

    private void subscribe() {
        if (!running) {
            return;
        }
        client.connect().onSuccess(open -> {
            if (!running) {
                open.close();
                return;
            }
            open.handler(this::received);
            open.exceptionHandler(e -> lost(open, e.getMessage()));
            open.endHandler(ended -> lost(open, "closed"));
            open.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).onSuccess(ok -> {
                connection = open;
                retryMs = firstRetryMs;
                LOG.infof("listening for desktop resets on %s", channel);
            }).onFailure(e -> {
                LOG.debugf("subscribing to %s failed: %s", channel, e.getMessage());
                open.close();
                later();
            });
        }).onFailure(e -> {
            LOG.debugf("cannot reach the lease channel's Redis: %s", e.getMessage());
            later();
        });
    }

    /** The subscribed connection ended or failed: subscribe again (once per connection, whichever handler fires). */
    private void lost(RedisConnection open, String why) {
        if (connection == open) {
            connection = null;
            LOG.infof("lease channel connection lost (%s); subscribing again", why);
            open.close();
            later();
        }
    }

    private void later() {
        if (running) {
            long wait = retryMs;
            retryMs = Math.min(maxRetryMs, retryMs * 2);
            vertx.setTimer(wait, id -> subscribe());
        }
    }

    /** A pushed {@code ["message", channel, payload]}; anything else (the subscribe confirmation) is ignored. */
    private void received(Response push) {
        if (push.size() < 3 || !"message".equals(push.get(0).toString())) {
            return;
        }
        try {
            JsonNode message = json.readTree(push.get(2).toString());
            if ("reset".equals(message.path("reason").asText()) && ours.test(message.path("resource_id").asText())) {
                wake.run();
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debugf("ignoring an unreadable lease channel message: %s", e.getMessage());
        }
    }
}

package io.envgrid.deviceagent.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One subscription to the lease channel that stays up: a connection that ends, fails or cannot be made is made again
 * after a backoff (short at first, since a failover's new master usually answers within seconds; longer while Redis
 * stays away, the reconcile interval covering what is missed meanwhile), and every new connection subscribes again.
 * With a Sentinel client ({@link RedisOptions} of type {@code SENTINEL}) each connection asks the Sentinels for the
 * current master, and a second subscription, to a Sentinel's {@code +switch-master}, drops the lease channel's
 * connection the moment the Sentinels switch masters: after a failover the agent is on the new master even when the
 * old one stays reachable to it (cut off from the Sentinels only, or demoted: Sentinel then also kills its pub/sub
 * clients). A {@code reason: "reset"} message for a resource {@code ours} accepts calls {@code wake}.
 */
final class LeaseChannelSubscriber {

    private static final Logger LOG = Logger.getLogger(LeaseChannelSubscriber.class);
    /**
     * Connect timeout: a master whose host vanished answers nothing, and Vert.x' default (60 s) would hold the next
     * attempt — the one that would ask the Sentinels for the new master — that long.
     */
    private static final int CONNECT_TIMEOUT_MS = 2000;
    /** What every Sentinel publishes, {@code <master name> <old ip> <old port> <new ip> <new port>}, after a failover. */
    private static final String SWITCH_MASTER = "+switch-master";

    private final Vertx vertx;
    private final List<Redis> clients = new ArrayList<>();
    private final Predicate<String> ours;
    private final Runnable wake;
    private final ObjectMapper json;
    private final long firstRetryMs;
    private final long maxRetryMs;
    private final Line leases;
    /** The Sentinels' {@code +switch-master} announcements; none without Sentinel. */
    private final Line switches;
    private volatile boolean running;

    /**
     * @param retry the wait after a connection ended or failed, doubled per further failure up to {@code maxRetry}
     * @param ours whether a {@code resource_id} is one of the agent's desktops
     * @param wake what a reset message of one of them calls
     */
    LeaseChannelSubscriber(Vertx vertx, RedisOptions options, String channel, Duration retry, Duration maxRetry,
            Predicate<String> ours, Runnable wake, ObjectMapper json) {
        options.getNetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS);
        this.vertx = vertx;
        this.ours = ours;
        this.wake = wake;
        this.json = json;
        this.firstRetryMs = Math.max(1, retry.toMillis());
        this.maxRetryMs = Math.max(firstRetryMs, maxRetry.toMillis());
        Redis client = client(options);
        boolean sentinel = options.getType() == RedisClientType.SENTINEL;
        // The Vert.x Sentinel client caches the topology for a second, so a connection made just after a switch may
        // still be to the old master: its ROLE tells, and the attempt is repeated after the backoff.
        this.leases = new Line("lease channel", channel, client::connect, this::received,
                sentinel ? (options.getRole() == RedisRole.REPLICA ? "slave" : "master") : null);
        if (sentinel) {
            String masterName = options.getMasterName();
            // one client per Sentinel, tried in turn, so that the watch outlives any one Sentinel
            List<Redis> sentinels = options.getEndpoints().stream().map(url -> client(new RedisOptions()
                    .setConnectionString(url).setPassword(options.getPassword())
                    .setNetClientOptions(options.getNetClientOptions()))).toList();
            int[] next = {0};
            this.switches = new Line("Sentinel", SWITCH_MASTER,
                    () -> sentinels.get(Math.floorMod(next[0]++, sentinels.size())).connect(),
                    push -> switched(push, masterName), null);
        } else {
            this.switches = null;
        }
    }

    /** Subscribes (and keeps subscribing) until {@link #close()}. */
    void start() {
        running = true;
        vertx.runOnContext(v -> {
            leases.subscribe();
            if (switches != null) {
                switches.subscribe();
            }
        });
    }

    /** Whether the lease channel is subscribed now (for tests and logs). */
    boolean subscribed() {
        return leases.connection != null;
    }

    void close() {
        running = false;
        leases.close();
        if (switches != null) {
            switches.close();
        }
        clients.forEach(Redis::close);
    }

    private Redis client(RedisOptions options) {
        Redis client = Redis.createClient(vertx, options);
        clients.add(client);
        return client;
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

    /** The Sentinels switched our master: leave the old one now rather than when (if) its connection ends. */
    private void switched(Response push, String masterName) {
        if (push.size() >= 3 && "message".equals(push.get(0).toString())
                && push.get(2).toString().startsWith(masterName + " ")) {
            RedisConnection open = leases.connection;
            if (open != null) {
                leases.lost(open, "the Sentinels switched the master: " + push.get(2));
            }
        }
    }

    /** One channel subscribed on connections made by {@code connect}, made again whenever one is lost. */
    private final class Line {
        private final String what;
        private final String channel;
        private final Supplier<Future<RedisConnection>> connect;
        private final Consumer<Response> handler;
        /** The ROLE the server must answer ({@code master} or {@code slave}) before it is subscribed on; null: any. */
        private final String role;
        private volatile RedisConnection connection;
        /** The wait before the next attempt; back to {@link #firstRetryMs} once subscribed. Event loop only. */
        private long retryMs = firstRetryMs;

        Line(String what, String channel, Supplier<Future<RedisConnection>> connect, Consumer<Response> handler,
                String role) {
            this.what = what;
            this.role = role;
            this.channel = channel;
            this.connect = connect;
            this.handler = handler;
        }

        void subscribe() {
            if (!running) {
                return;
            }
            connect.get().onSuccess(open -> {
                if (!running) {
                    open.close();
                    return;
                }
                open.handler(handler::accept);
                open.exceptionHandler(e -> lost(open, e.getMessage()));
                open.endHandler(ended -> lost(open, "closed"));
                Future<Response> roleChecked = role == null ? Future.succeededFuture()
                        : open.send(Request.cmd(Command.ROLE)).compose(answer -> role.equals(answer.get(0).toString())
                                ? Future.succeededFuture(answer)
                                : Future.failedFuture("the server is a " + answer.get(0) + ", not the " + role));
                roleChecked.compose(checked -> open.send(Request.cmd(Command.SUBSCRIBE).arg(channel))).onSuccess(ok -> {
                    connection = open;
                    retryMs = firstRetryMs;
                    LOG.infof("listening on %s (%s)", channel, what);
                }).onFailure(e -> {
                    LOG.debugf("subscribing to %s (%s) failed: %s", channel, what, e.getMessage());
                    open.close();
                    later();
                });
            }).onFailure(e -> {
                LOG.debugf("cannot reach the %s: %s", what, e.getMessage());
                later();
            });
        }

        /** The subscribed connection ended or failed: subscribe again (once per connection, whichever handler fires). */
        void lost(RedisConnection open, String why) {
            if (connection == open) {
                connection = null;
                LOG.infof("%s connection lost (%s); subscribing again", what, why);
                open.close();
                later();
            }
        }

        void close() {
            RedisConnection open = connection;
            connection = null;
            if (open != null) {
                open.close();
            }
        }

        private void later() {
            if (running) {
                long wait = retryMs;
                retryMs = Math.min(maxRetryMs, retryMs * 2);
                vertx.setTimer(wait, id -> subscribe());
            }
        }
    }
}

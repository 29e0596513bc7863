package io.envgrid.deviceagent.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Listens on the allocator's lease channel ({@code {envgrid}:ch:expired}) for {@code reason: "reset"} messages naming
 * one of this agent's desktops and starts a reset round at once ({@link DesktopResets#wake()}). A hint only: the round
 * lists what is resetting itself, so a message lost while this connection was down costs one reconcile interval. On
 * when {@code envgrid.device-agent.desktops.lease-channel-redis} is set and the agent hosts desktops; a dropped
 * connection is re-made after a second.
 */
@ApplicationScoped
public class LeaseChannel {

    private static final Logger LOG = Logger.getLogger(LeaseChannel.class);
    private static final long RECONNECT_MS = 1000;

    private final DesktopFleet fleet;
    private final DesktopResets resets;
    private final FleetVertx vertx;
    private final ObjectMapper json;
    private final Optional<String> redisUrl;
    private final String channel;
    private volatile boolean running;
    private volatile RedisConnection connection;
    private Redis client;

    public LeaseChannel(DesktopFleet fleet, DesktopResets resets, FleetVertx vertx, ObjectMapper json,
            DeviceAgentConfig config) {
        this.fleet = fleet;
        this.resets = resets;
        this.vertx = vertx;
        this.json = json;
        this.redisUrl = config.desktops().leaseChannelRedis().filter(url -> !url.isBlank());
        this.channel = config.desktops().leaseChannel();
    }

    void start(@Observes StartupEvent start) {
        if (!fleet.hosting()) {
            return;
        }
        if (redisUrl.isEmpty()) {
            LOG.info("desktop resets are found by reconciliation alone: envgrid.device-agent.desktops."
                    + "lease-channel-redis is not set");
            return;
        }
        running = true;
        client = Redis.createClient(vertx.get(), new RedisOptions().setConnectionString(redisUrl.get()));
        subscribe();
    }

    void stop(@Observes ShutdownEvent stop) {
        running = false;
        RedisConnection open = connection;
        if (open != null) {
            open.close();
        }
        if (client != null) {
            client.close();
        }
    }

    private void subscribe() {
        if (!running) {
            return;
        }
        client.connect().onSuccess(open -> {
            connection = open;
            open.handler(this::received);
            open.exceptionHandler(e -> lost(open, e.getMessage()));
            open.endHandler(ended -> lost(open, "closed"));
            open.send(Request.cmd(Command.SUBSCRIBE).arg(channel))
                    .onSuccess(ok -> LOG.infof("listening for desktop resets on %s", channel))
                    .onFailure(e -> lost(open, e.getMessage()));
        }).onFailure(e -> {
            LOG.debugf("cannot reach the lease channel's Redis: %s", e.getMessage());
            later();
        });
    }

    private void lost(RedisConnection open, String why) {
        if (connection == open) {
            connection = null;
            LOG.debugf("lease channel connection lost (%s); reconnecting", why);
            open.close();
            later();
        }
    }

    private void later() {
        if (running) {
            vertx.get().setTimer(RECONNECT_MS, id -> subscribe());
        }
    }

    /** A pushed {@code ["message", channel, payload]}; anything else (the subscribe confirmation) is ignored. */
    private void received(Response push) {
        if (push.size() < 3 || !"message".equals(push.get(0).toString())) {
            return;
        }
        try {
            JsonNode message = json.readTree(push.get(2).toString());
            if ("reset".equals(message.path("reason").asText())
                    && fleet.byResourceId(message.path("resource_id").asText()).isPresent()) {
                resets.wake();
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debugf("ignoring an unreadable lease channel message: %s", e.getMessage());
        }
    }
}

package io.envgrid.deviceagent.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Arrays;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Listens on the allocator's lease channel ({@code {envgrid}:ch:expired}) for {@code reason: "reset"} messages naming
 * one of this agent's desktops (or its host device, {@link HostDevice}, or the attached desktop it resets,
 * {@link AttachedDesktop}) and starts a reset round at once ({@link DesktopResets#wake()}). A hint only: the round
 * lists what is resetting itself, so a message lost while this connection was down costs one reconcile interval. On
 * when {@code envgrid.device-agent.desktops.lease-channel-redis} is set and the agent hosts desktops or resets its
 * host device or attached desktop. The Redis is
 * named as the allocator's {@code quarkus.redis.*} names it (one server, or its Sentinels and master name); the
 * subscription itself, which follows failovers and survives disconnects, is {@link LeaseChannelSubscriber}.
 */
@ApplicationScoped
public class LeaseChannel {

    private static final Logger LOG = Logger.getLogger(LeaseChannel.class);

    private final DesktopFleet fleet;
    private final HostDevice host;
    private final AttachedDesktop attached;
    private final DesktopResets resets;
    private final FleetVertx vertx;
    private final ObjectMapper json;
    private final DeviceAgentConfig.Desktops config;
    private final Optional<String> redisHosts;
    private LeaseChannelSubscriber subscriber;

    public LeaseChannel(DesktopFleet fleet, HostDevice host, AttachedDesktop attached, DesktopResets resets,
            FleetVertx vertx, ObjectMapper json, DeviceAgentConfig config) {
        this.attached = attached;
        this.fleet = fleet;
        this.host = host;
        this.resets = resets;
        this.vertx = vertx;
        this.json = json;
        this.config = config.desktops();
        this.redisHosts = this.config.leaseChannelRedis().filter(url -> !url.isBlank());
    }

    void start(@Observes StartupEvent start) {
        if (!fleet.hosting() && !host.resetsBetweenLeases() && !attached.resetsBetweenLeases()) {
            return;
        }
        if (redisHosts.isEmpty()) {
            LOG.info("desktop resets are found by reconciliation alone: envgrid.device-agent.desktops."
                    + "lease-channel-redis is not set");
            return;
        }
        subscriber = new LeaseChannelSubscriber(vertx.get(), redisOptions(redisHosts.get(),
                config.leaseChannelRedisClientType(), config.leaseChannelRedisMasterName(),
                config.leaseChannelRedisRole()), config.leaseChannel(), config.leaseChannelRetryBackoff(),
                config.leaseChannelRetryMaxBackoff(), id -> fleet.byResourceId(id).isPresent() || host.ownsResource(id) && host.resetsBetweenLeases()
                        || attached.ownsResource(id),
                resets::wake, json);
        subscriber.start();
    }

    void stop(@Observes ShutdownEvent stop) {
        if (subscriber != null) {
            subscriber.close();
        }
    }

    /**
     * The client options for {@code envgrid.device-agent.desktops.lease-channel-redis*}, read as the Quarkus Redis
     * client reads {@code quarkus.redis.hosts}, {@code client-type}, {@code master-name} and {@code role}.
     */
    static RedisOptions redisOptions(String hosts, DeviceAgentConfig.LeaseChannelRedisType type, String masterName,
            DeviceAgentConfig.LeaseChannelRedisRole role) {
        RedisOptions options = new RedisOptions();
        Arrays.stream(hosts.split(",")).map(String::trim).filter(url -> !url.isEmpty())
                .forEach(options::addConnectionString);
        if (type == DeviceAgentConfig.LeaseChannelRedisType.SENTINEL) {
            options.setType(RedisClientType.SENTINEL).setMasterName(masterName)
                    .setRole(role == DeviceAgentConfig.LeaseChannelRedisRole.REPLICA ? RedisRole.REPLICA : RedisRole.MASTER);
        }
        return options;
    }
}

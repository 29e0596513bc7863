package io.envgrid.gateway.lease;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.redis.KeptSubscription;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Hears the allocator's lease expiries and revocations ({@code {"worker_id","resource_id",…}} on
 * {@link GatewayKeys#allocatorExpiryChannels()}, one per allocator cell, named from the configured prefixes) on
 * every replica: the resource leaves its worker's record and every {@link LeaseEndListener} is
 * told, whichever front end the worker used.
 */
@ApplicationScoped
public class LeaseExpiries {

    private static final Logger LOG = Logger.getLogger(LeaseExpiries.class);

    private final ReactiveRedisDataSource redis;
    private final GatewayKeys keys;
    private final ObjectMapper json;
    private final WorkerResources resources;
    private final List<LeaseEndListener> listeners;
    private final WorkerActivities activities;
    private Cancellable subscription;

    public LeaseExpiries(ReactiveRedisDataSource redis, GatewayKeys keys, ObjectMapper json, WorkerResources resources,
            Instance<LeaseEndListener> listeners, WorkerActivities activities) {
        this.activities = activities;
        this.redis = redis;
        this.keys = keys;
        this.json = json;
        this.resources = resources;
        this.listeners = listeners.stream().toList();
    }

    void start(@Observes StartupEvent event) {
        subscription = KeptSubscription.keep(redis.pubsub(String.class), "the lease expiries", this::onExpiry,
                keys.allocatorExpiryChannels().toArray(String[]::new));
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscription != null) {
            subscription.cancel();
        }
    }

    private void onExpiry(String message) {
        try {
            JsonNode event = json.readTree(message);
            String worker = event.path("worker_id").asText("");
            String resource = event.path("resource_id").asText("");
            if (!worker.isEmpty() && !resource.isEmpty() && event.isObject()) {
                // "expired": the lease ran out; "deleted": the resource was withdrawn — either way the allocator took it back
                activities.report(worker, Severity.WARNING, "lease.reclaimed", ((ObjectNode) event).deepCopy());
                // by lease where the message names it: a late message must not drop a newer grant of the resource
                String lease = event.path("lease_id").asText("");
                (lease.isEmpty() ? resources.forget(worker, List.of(resource)) : resources.forgetLeases(worker, List.of(lease)))
                        .chain(() -> Multi.createFrom().iterable(listeners)
                                .onItem().transformToUniAndConcatenate(l -> l.leaseEnded(worker, resource))
                                .collect().last())
                        .subscribe().with(v -> { },
                                e -> LOG.warnf("forgetting expired %s of %s failed: %s", resource, worker, e.getMessage()));
            }
        } catch (IOException e) {
            LOG.warnf("unreadable expiry message: %s", message);
        }
    }
}

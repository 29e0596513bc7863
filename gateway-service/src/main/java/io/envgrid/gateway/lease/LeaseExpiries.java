package io.envgrid.gateway.lease;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.redis.KeptSubscription;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Hears the allocator's lease expiries and revocations ({@code {"worker_id","resource_id",…}} on
 * {@link GatewayKeys#allocatorExpiryChannels()}, one per allocator cell, named from the configured prefixes) on
 * every replica: the resource leaves its worker's record and every {@link LeaseEndListener} is
 * told, whichever front end the worker used.
 *
 * <p>An expiry published while this replica's subscription was lost is missed, and nothing else would clear it: the
 * keep-alive's renewal answers only the leases still held, so the record kept showing a lease that had ended. Once
 * subscribed again, every live worker's record is checked against the allocator's leases ({@link #reconcile()}).
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
    private final AllocatorApi allocator;
    private final Instance<LiveWorkers> liveWorkers;
    private Cancellable subscription;

    /** Workers checked at once after a re-subscription (each a read of its record and one allocator call). */
    private static final int RECONCILING = 16;

    public LeaseExpiries(ReactiveRedisDataSource redis, GatewayKeys keys, ObjectMapper json, WorkerResources resources,
            Instance<LeaseEndListener> listeners, WorkerActivities activities, AllocatorApi allocator,
            Instance<LiveWorkers> liveWorkers) {
        this.activities = activities;
        this.allocator = allocator;
        this.liveWorkers = liveWorkers;
        this.redis = redis;
        this.keys = keys;
        this.json = json;
        this.resources = resources;
        this.listeners = listeners.stream().toList();
    }

    void start(@Observes StartupEvent event) {
        subscription = KeptSubscription.keep(redis.pubsub(String.class), "the lease expiries", this::onExpiry, () -> { },
                this::reconcile, keys.allocatorExpiryChannels().toArray(String[]::new));
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
                ended(worker, resource, event.path("lease_id").asText(""))
                        .subscribe().with(v -> { },
                                e -> LOG.warnf("forgetting expired %s of %s failed: %s", resource, worker, e.getMessage()));
            }
        } catch (IOException e) {
            LOG.warnf("unreadable expiry message: %s", message);
        }
    }

    /** The lease left the worker's record (by lease id when known), then every listener is told. */
    private Uni<Void> ended(String worker, String resource, String lease) {
        return (lease.isEmpty() ? resources.forget(worker, List.of(resource)) : resources.forgetLeases(worker, List.of(lease)))
                .chain(() -> Multi.createFrom().iterable(listeners)
                        .onItem().transformToUniAndConcatenate(l -> l.leaseEnded(worker, resource))
                        .collect().last())
                .replaceWithVoid();
    }

    /**
     * The subscription is in place again: every live worker's recorded leases are checked against the allocator's
     * ({@code GET /leases}); one no longer held ended while its expiry could not be heard, and ends here as if the
     * message had arrived ({@code lease.reclaimed} with reason {@code not_held}). Runs once per re-subscription.
     */
    void reconcile() {
        Multi.createFrom().iterable(liveWorkers.stream().toList())
                .onItem().transformToUniAndConcatenate(LiveWorkers::liveWorkers)
                .collect().in(LinkedHashSet<String>::new, Set::addAll)
                .onItem().transformToMulti(workers -> Multi.createFrom().iterable(workers))
                .onItem().transformToUni(worker -> reconcile(worker)
                        .onFailure().invoke(e -> LOG.warnf("checking the leases of worker %s failed: %s", worker, e.getMessage()))
                        .onFailure().recoverWithItem(0))
                .merge(RECONCILING)
                .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue))
                .subscribe().with(found -> LOG.infof("lease expiries: checked the live workers' records after "
                        + "subscribing again; %d lease(s) had ended unheard", found),
                        e -> LOG.warnf("checking the live workers' leases failed: %s", e.getMessage()));
    }

    /** Ends the worker's recorded leases the allocator no longer holds; answers how many. */
    Uni<Integer> reconcile(String worker) {
        // the record first: a lease recorded is granted already, so the allocator's answer read after it shows it if live
        return resources.all(worker).chain(recorded -> recorded.isEmpty() ? Uni.createFrom().item(0)
                : allocator.leases(worker).chain(live -> {
                    Set<String> held = new HashSet<>();
                    live.forEach(l -> held.add(l.path("resource_id").asText() + ":" + l.path("fencing_token").asText()));
                    List<JsonNode> ended = recorded.values().stream()
                            .filter(entry -> entry.hasNonNull("fencing_token") && !held.contains(leaseId(entry)))
                            .toList();
                    return Multi.createFrom().iterable(ended).onItem().transformToUniAndConcatenate(entry -> {
                        String resource = entry.path("id").asText();
                        ObjectNode details = JsonNodeFactory.instance.objectNode().put("worker_id", worker)
                                .put("resource_id", resource).put("lease_id", leaseId(entry)).put("reason", "not_held");
                        details.set("fencing_token", entry.get("fencing_token"));
                        activities.report(worker, Severity.WARNING, "lease.reclaimed", details);
                        return ended(worker, resource, leaseId(entry));
                    }).collect().last().replaceWith(ended.size());
                }));
    }

    /** A recorded entry's lease as the allocator names it: {@code <resource id>:<fencing token>}. */
    private static String leaseId(JsonNode entry) {
        return entry.path("id").asText() + ":" + entry.path("fencing_token").asText();
    }
}

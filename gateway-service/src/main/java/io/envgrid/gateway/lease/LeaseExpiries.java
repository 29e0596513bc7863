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
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Hears the allocator's lease expiries and revocations ({@code {"worker_id","resource_id",…}} on
 * {@link GatewayKeys#allocatorExpiryChannels()}, one per allocator cell, named from the configured prefixes) on
 * every replica: the lease leaves its worker's record and, when that removed its entry, every {@link
 * LeaseEndListener} is told, whichever front end the worker used. A message about a lease the record no longer holds
 * (an older grant of a resource granted to the worker again, arriving late; one a release removed first) is still
 * reported ({@code lease.reclaimed}: the allocator did take a lease back) but told to no listener. A {@code reset}
 * message (a resettable resource is being reset after a lease's end, whichever way it ended) is never reported: it
 * follows every release, and an expiry's own {@code expired} message reports that one.
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
    private final LeaseEndTelling telling;
    private final WorkerActivities activities;
    private final AllocatorApi allocator;
    private final Instance<LiveWorkers> liveWorkers;
    private Cancellable subscription;

    /** Workers checked at once after a re-subscription (each a read of its record and one allocator call). */
    private static final int RECONCILING = 16;
    /** Attempts of one step (a worker's check, an expiry's forget) before it is given up and logged. */
    static final int ATTEMPTS = LeaseEndTelling.ATTEMPTS;

    @Inject
    public LeaseExpiries(ReactiveRedisDataSource redis, GatewayKeys keys, ObjectMapper json, WorkerResources resources,
            Instance<LeaseEndListener> listeners, WorkerActivities activities, AllocatorApi allocator,
            Instance<LiveWorkers> liveWorkers) {
        this(redis, keys, json, resources, listeners.stream().toList(), activities, allocator, liveWorkers,
                Duration.ofSeconds(1));
    }

    /** With the listeners given and the first retry's wait (a test's, to check one worker without its subscription). */
    LeaseExpiries(ReactiveRedisDataSource redis, GatewayKeys keys, ObjectMapper json, WorkerResources resources,
            List<LeaseEndListener> listeners, WorkerActivities activities, AllocatorApi allocator,
            Instance<LiveWorkers> liveWorkers, Duration firstRetry) {
        this.telling = new LeaseEndTelling(listeners, firstRetry);
        this.activities = activities;
        this.allocator = allocator;
        this.liveWorkers = liveWorkers;
        this.redis = redis;
        this.keys = keys;
        this.json = json;
        this.resources = resources;
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

    void onExpiry(String message) {
        try {
            JsonNode event = json.readTree(message);
            String worker = event.path("worker_id").asText("");
            String resource = event.path("resource_id").asText("");
            if (!worker.isEmpty() && !resource.isEmpty() && event.isObject()) {
                // "expired": the lease ran out; "deleted": the resource was withdrawn — either way the allocator took
                // back a lease of the worker, so it is reported even when the record no longer held it (a late message
                // of an older grant); the listeners only hear of an entry it removed. "reset" is no reclaim: the
                // allocator announces the reset owed after every end of a resettable resource's lease, a release or an
                // abandon as much as an expiry, and an expiry has its own "expired" message (published first)
                if (reclaims(event)) {
                    activities.report(worker, Severity.WARNING, "lease.reclaimed", ((ObjectNode) event).deepCopy());
                }
                // by lease where the message names it: a late message must not drop a newer grant of the resource.
                // A reset message still forgets: it may reach this replica before the release's own forget (which
                // follows the allocator's answer and the controller's session end), and then tells the listeners
                String lease = event.path("lease_id").asText("");
                this.<List<JsonNode>>retried(() -> lease.isEmpty() ? resources.forget(worker, List.of(resource))
                        : resources.forgetLeases(worker, List.of(lease)))
                        .call(removed -> telling.told(worker, removed))
                        .subscribe().with(v -> { },
                                e -> LOG.warnf("forgetting expired %s of %s failed after %d attempts: %s", resource,
                                        worker, ATTEMPTS, e.getMessage()));
            }
        } catch (IOException e) {
            LOG.warnf("unreadable expiry message: %s", message);
        }
    }

    /**
     * Whether the message says the allocator took a lease back from its holder ({@code expired}, {@code deleted}, or a
     * reason it may add later), not that the resource is being reset after a lease's end ({@code reset}), which
     * follows releases too; the end of an expired lease is reported by its {@code expired} message.
     */
    static boolean reclaims(JsonNode event) {
        return !"reset".equals(event.path("reason").asText());
    }

    /**
     * {@code step} again after a failure, {@link #ATTEMPTS} times in all ({@link LeaseEndTelling#retried}): a step not
     * done leaves a dead lease recorded until the next re-subscription, if any.
     */
    <T> Uni<T> retried(java.util.function.Supplier<Uni<? extends T>> step) {
        return telling.retried(step);
    }

    /**
     * The subscription is in place again: every live worker's recorded leases are checked against the allocator's
     * ({@code GET /leases}); one no longer held ended while its expiry could not be heard, and ends here as if the
     * message had arrived ({@code lease.reclaimed} with reason {@code not_held}). Runs once per re-subscription; a
     * worker whose check fails (the allocator or Redis away for a moment) is checked again, {@link #ATTEMPTS} times
     * in all, with backoff, and so is the listing of the live workers.
     */
    void reconcile() {
        retried(() -> Multi.createFrom().iterable(liveWorkers.stream().toList())
                .onItem().transformToUniAndConcatenate(LiveWorkers::liveWorkers)
                .collect().in(LinkedHashSet<String>::new, Set::addAll))
                .onItem().transformToMulti(workers -> Multi.createFrom().iterable(workers))
                .onItem().transformToUni(worker -> reconcile(worker)
                        .onFailure().invoke(e -> LOG.warnf("checking the leases of worker %s failed after %d attempts: %s",
                                worker, ATTEMPTS, e.getMessage()))
                        .onFailure().recoverWithItem(0))
                .merge(RECONCILING)
                .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue))
                .subscribe().with(found -> LOG.infof("lease expiries: checked the live workers' records after "
                        + "subscribing again; %d lease(s) had ended unheard", found),
                        e -> LOG.warnf("checking the live workers' leases failed: %s", e.getMessage()));
    }

    /**
     * Ends the worker's recorded leases the allocator no longer holds; answers how many this call removed. Each is
     * forgotten first, and reported ({@code lease.reclaimed}) and told to the listeners only if this call removed it:
     * one the worker released meanwhile (between the look-up and the forget) was reported and told by the release.
     * A failed attempt (the allocator's look-up, Redis) is tried again from the record's read, {@link #ATTEMPTS} times
     * in all with backoff; a listener that fails is told again on its own ({@link LeaseEndTelling#told}), since an attempt after the
     * forget would find nothing left to remove.
     */
    Uni<Integer> reconcile(String worker) {
        return this.<List<JsonNode>>retried(() -> unheldForgotten(worker)).call(removed -> {
            for (JsonNode entry : removed) {
                ObjectNode details = JsonNodeFactory.instance.objectNode().put("worker_id", worker)
                        .put("resource_id", entry.path("id").asText()).put("lease_id", leaseId(entry))
                        .put("reason", "not_held");
                details.set("fencing_token", entry.get("fencing_token"));
                activities.report(worker, Severity.WARNING, "lease.reclaimed", details);
            }
            return telling.told(worker, removed);
        }).map(List::size);
    }

    /**
     * One attempt of {@link #reconcile(String)}'s look-up and forget: answers the entries it removed. Reporting and
     * telling come after, outside the attempts: an attempt repeated after the forget finds nothing left to remove.
     */
    private Uni<List<JsonNode>> unheldForgotten(String worker) {
        // the record first: a lease recorded is granted already, so the allocator's answer read after it shows it if live
        return resources.all(worker).chain(recorded -> recorded.isEmpty() ? Uni.createFrom().item(List.<JsonNode>of())
                : allocator.leases(worker).chain(live -> {
                    Set<String> held = new HashSet<>();
                    live.forEach(l -> held.add(l.path("resource_id").asText() + ":" + l.path("fencing_token").asText()));
                    List<String> ended = recorded.values().stream()
                            .filter(entry -> entry.hasNonNull("fencing_token") && !held.contains(leaseId(entry)))
                            .map(LeaseExpiries::leaseId)
                            .toList();
                    return ended.isEmpty() ? Uni.createFrom().item(List.<JsonNode>of())
                            : resources.forgetLeases(worker, ended);
                }));
    }

    /** A recorded entry's lease as the allocator names it: {@code <resource id>:<fencing token>}. */
    private static String leaseId(JsonNode entry) {
        return entry.path("id").asText() + ":" + entry.path("fencing_token").asText();
    }
}

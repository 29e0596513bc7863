package io.envgrid.gateway.lease;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.cluster.Replica;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.redis.GatewayKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Keeps the leases of every live worker (a live MCP or Sandbox session: each {@link LiveWorkers})
 * from expiring: every {@code envgrid.gateway.leases.keepalive-interval} one replica, chosen by a
 * Redis lock that expires with the period (so a dead replica is replaced), renews them all.
 */
@ApplicationScoped
public class LeaseKeepAlive {

    private static final Logger LOG = Logger.getLogger(LeaseKeepAlive.class);

    private final AllocatorApi allocator;
    private final ReactiveValueCommands<String, String> values;
    private final GatewayKeys keys;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final Replica replica;
    private final List<LiveWorkers> liveWorkers;
    private final WorkerActivities activities;
    private final UnsettledRequests unsettled;
    private final WorkerResources resources;
    /** A round still running on this replica: the next tick skips, so slow rounds (thousands of workers) never pile up. */
    private final AtomicBoolean renewing = new AtomicBoolean();
    private long timer = -1;

    public LeaseKeepAlive(AllocatorApi allocator, ReactiveRedisDataSource redis, GatewayKeys keys, GatewayConfig config,
            Vertx vertx, Replica replica, Instance<LiveWorkers> liveWorkers, WorkerActivities activities,
            UnsettledRequests unsettled, WorkerResources resources) {
        this.activities = activities;
        this.unsettled = unsettled;
        this.resources = resources;
        this.allocator = allocator;
        this.values = redis.value(String.class);
        this.keys = keys;
        this.config = config;
        this.vertx = vertx;
        this.replica = replica;
        this.liveWorkers = liveWorkers.stream().toList();
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.leases().keepaliveInterval().toMillis(), t -> keepAlive());
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
    }

    /**
     * One replica per period renews; the lock expires with the period, so a dead replica is replaced. A replica
     * whose previous round has not finished neither takes the lock nor starts another round.
     */
    void keepAlive() {
        if (!renewing.compareAndSet(false, true)) {
            return;
        }
        long period = config.leases().keepaliveInterval().toMillis();
        values.setGet(keys.keepaliveLock(), replica.id(), new SetArgs().nx().px(period - 100))
                .onFailure().recoverWithItem("")
                .chain(previous -> previous == null ? renewAll() : Uni.createFrom().voidItem())
                .onTermination().invoke(() -> renewing.set(false))
                .subscribe().with(done -> { }, e -> LOG.warnf("lease keep-alive failed: %s", e.getMessage()));
    }

    /** Whether a round runs now on this replica (a test waits for it to end before it counts Redis commands). */
    boolean renewing() {
        return renewing.get();
    }

    private Uni<Void> renewAll() {
        int timeout = config.leases().renewTimeoutSeconds();
        return Multi.createFrom().iterable(liveWorkers).onItem().transformToUniAndConcatenate(LiveWorkers::liveWorkers)
                .collect().in(LinkedHashSet<String>::new, Set::addAll)
                .onItem().transformToMulti(workers -> Multi.createFrom().iterable(workers))
                .onItem().transformToUni(worker -> renew(worker, timeout)
                        .call(renewed -> renewed == null ? Uni.createFrom().voidItem() : recorded(worker, renewed))
                        .invoke(renewed -> {
                            if (renewed != null) {
                                activities.report(worker, Severity.INFO, "leases.renewed", renewedDetails(renewed, timeout));
                            }
                        })
                        .replaceWithVoid()
                        .onFailure().invoke(e -> {
                            LOG.warnf("renewing worker %s failed: %s", worker, e.getMessage());
                            activities.report(worker, Severity.WARNING, "leases.renew_failed",
                                    JsonNodeFactory.instance.objectNode().put("message", String.valueOf(e.getMessage())));
                        })
                        .onFailure().recoverWithNull())
                .merge(16)
                .collect().asList().replaceWithVoid();
    }

    /**
     * Renews all of the worker's leases ({@code /renew} without ids), except while an allocation of the worker
     * is being settled ({@link UnsettledRequests}): a grant whose answer never reached the worker is then among
     * them, and renewing it would keep it forever if settling never gets through. Then only the leases the
     * worker was told of (its recorded resources) are renewed; null when there are none.
     */
    private Uni<JsonNode> renew(String worker, int timeout) {
        return unsettled.any(worker).chain(unknown -> {
            if (!unknown) {
                return allocator.renew(worker, null, timeout);
            }
            return resources.all(worker).chain(held -> {
                List<String> ids = held.values().stream().map(entry -> entry.path("id").asText())
                        .filter(id -> !id.isEmpty()).distinct().toList();
                return ids.isEmpty() ? Uni.createFrom().nullItem() : allocator.renew(worker, ids, timeout);
            });
        });
    }

    /**
     * The renewal written into the worker's record, so a read of its leases shows the new expiry. Only a fencing
     * token other than recorded is announced as an update of {@code envgrid://worker/leases}: every tick extends
     * every lease, and announcing that would be one update (and a re-read by each subscriber) per live worker per
     * period, with thousands of workers, for a change no client acts on while the gateway keeps its leases alive.
     * The tick is reported as the {@code leases.renewed} log message instead.
     */
    private Uni<Void> recorded(String worker, JsonNode renewed) {
        return resources.renewed(worker, renewed).invoke(change -> {
            if (change == WorkerResources.TermsChange.FENCING) {
                activities.leaseTermsChanged(worker);
            }
        }).replaceWithVoid()
                // the leases were renewed all the same: not a renew_failed; the next tick writes the record again
                .onFailure().invoke(e -> LOG.warnf("recording the renewal of worker %s failed: %s", worker, e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** The keep-alive's renewal as the worker sees it: the allocator's answer per lease, and for how long. */
    private static ObjectNode renewedDetails(JsonNode renewed, int timeout) {
        ObjectNode details = JsonNodeFactory.instance.objectNode().put("timeout", timeout);
        details.set("renewed", renewed);
        return details;
    }
}

package io.envgrid.gateway.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.backend.AllocatorApi;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.worker.LeaseEndListener;
import io.envgrid.gateway.worker.LiveWorkers;
import io.envgrid.gateway.worker.Severity;
import io.envgrid.gateway.worker.WorkerActivities;
import io.envgrid.gateway.worker.WorkerCleanup;
import io.envgrid.gateway.worker.WorkerResources;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The life around MCP sessions, run by every replica: idle sessions end (and a worker's last
 * session ending releases everything it holds, so a crashed agent leaks no lease); the leases of
 * workers with a live MCP or Sandbox session are renewed (by one replica per period, chosen by a Redis lock);
 * lease expiries the allocator publishes remove the resource from its worker's record (and tell
 * every {@link LeaseEndListener}).
 */
@ApplicationScoped
public class SessionLifecycle {

    private static final Logger LOG = Logger.getLogger(SessionLifecycle.class);
    /** The allocator's expiry and revocation channel (resource-allocator-service, lib.lua). */
    static final String EXPIRED_CHANNEL = "{envgrid}:ch:expired";

    private final McpSessions sessions;
    private final WorkerCleanup cleanup;
    private final WorkerResources resources;
    private final AllocatorApi allocator;
    private final ReactiveRedisDataSource redis;
    private final ReactiveValueCommands<String, String> values;
    private final ObjectMapper json;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final Replica replica;
    private final List<LiveWorkers> liveWorkers;
    private final List<LeaseEndListener> leaseEndListeners;
    private final WorkerActivities activities;
    private long sweepTimer = -1;
    private long keepaliveTimer = -1;
    private Cancellable expirySubscription;

    public SessionLifecycle(McpSessions sessions, WorkerCleanup cleanup, WorkerResources resources, AllocatorApi allocator,
            ReactiveRedisDataSource redis, ObjectMapper json, GatewayConfig config, Vertx vertx, Replica replica,
            Instance<LiveWorkers> liveWorkers, Instance<LeaseEndListener> leaseEndListeners, WorkerActivities activities) {
        this.activities = activities;
        this.replica = replica;
        this.liveWorkers = liveWorkers.stream().toList();
        this.leaseEndListeners = leaseEndListeners.stream().toList();
        this.sessions = sessions;
        this.cleanup = cleanup;
        this.resources = resources;
        this.allocator = allocator;
        this.redis = redis;
        this.values = redis.value(String.class);
        this.json = json;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        sweepTimer = vertx.setPeriodic(config.mcp().sweepInterval().toMillis(), t -> sweep());
        keepaliveTimer = vertx.setPeriodic(config.leases().keepaliveInterval().toMillis(), t -> keepAlive());
        expirySubscription = redis.pubsub(String.class).subscribe(EXPIRED_CHANNEL)
                .onFailure().retry().withBackOff(Duration.ofSeconds(1)).indefinitely()
                .subscribe().with(this::onExpiry);
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(sweepTimer);
        vertx.cancelTimer(keepaliveTimer);
        if (expirySubscription != null) {
            expirySubscription.cancel();
        }
    }

    /** Ends a session (DELETE, closed SSE stream, idle) and, if it was its worker's last, gives everything back. */
    public Uni<Void> end(String sessionId, String why) {
        return sessions.end(sessionId).chain(ended -> {
            if (ended == null || ended.workerId() == null || ended.workerSessionsLeft() > 0) {
                return Uni.createFrom().voidItem();
            }
            LOG.infof("session %s ended (%s); releasing everything worker %s holds", sessionId, why, ended.workerId());
            return cleanup.releaseAll(ended.workerId()).replaceWithVoid();
        });
    }

    void sweep() {
        sessions.idle()
                .onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndConcatenate(id -> end(id, "idle").onFailure().recoverWithNull())
                .collect().asList()
                .subscribe().with(done -> { }, e -> LOG.warnf("idle-session sweep failed: %s", e.getMessage()));
    }

    /** One replica per period renews; the lock expires with the period, so a dead replica is replaced. */
    void keepAlive() {
        long period = config.leases().keepaliveInterval().toMillis();
        values.setGet(config.keyPrefix() + "keepalive-lock", replica.id(), new SetArgs().nx().px(period - 100))
                .onFailure().recoverWithItem("")
                .chain(previous -> previous == null ? renewAll() : Uni.createFrom().voidItem())
                .subscribe().with(done -> { }, e -> LOG.warnf("lease keep-alive failed: %s", e.getMessage()));
    }

    private Uni<Void> renewAll() {
        int timeout = config.leases().renewTimeoutSeconds();
        return Multi.createFrom().iterable(liveWorkers).onItem().transformToUniAndConcatenate(LiveWorkers::liveWorkers)
                .collect().in(LinkedHashSet<String>::new, Set::addAll)
                .onItem().transformToMulti(workers -> Multi.createFrom().iterable(workers))
                .onItem().transformToUni(worker -> allocator.renew(worker, null, timeout)
                        .invoke(renewed -> activities.report(worker, Severity.INFO, "leases.renewed", renewedDetails(renewed, timeout)))
                        .replaceWithVoid()
                        .onFailure().invoke(e -> {
                            LOG.warnf("renewing worker %s failed: %s", worker, e.getMessage());
                            activities.report(worker, Severity.WARNING, "leases.renew_failed",
                                    json.createObjectNode().put("message", String.valueOf(e.getMessage())));
                        })
                        .onFailure().recoverWithNull())
                .merge(16)
                .collect().asList().replaceWithVoid();
    }

    /** The keep-alive's renewal as the worker sees it: how many leases, for how long. */
    private ObjectNode renewedDetails(JsonNode renewed, int timeout) {
        ObjectNode details = json.createObjectNode().put("timeout", timeout);
        details.set("renewed", renewed);
        return details;
    }

    private void onExpiry(String message) {
        try {
            JsonNode event = json.readTree(message);
            String worker = event.path("worker_id").asText("");
            String resource = event.path("resource_id").asText("");
            if (!worker.isEmpty() && !resource.isEmpty()) {
                // "expired": the lease ran out; "deleted": the resource was withdrawn — either way the allocator took it back
                activities.report(worker, Severity.WARNING, "lease.reclaimed", ((ObjectNode) event.deepCopy()));
                resources.forget(worker, List.of(resource))
                        .chain(() -> Multi.createFrom().iterable(leaseEndListeners)
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

package io.envgrid.gateway.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.lease.Severity;
import io.envgrid.gateway.lease.WorkerActivities;
import io.envgrid.gateway.client.Downstream;
import io.envgrid.gateway.client.Reply;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.lease.UnsettledRequests;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.tool.ProgressSink;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Allocation on behalf of a worker: one all-or-nothing /allocate, the grant recorded for the
 * worker, progress while it waits in the allocator's queue, a grant the allocator kept but could
 * not confirm (503 {@code REPLICATION_TIMEOUT}) replayed by its request id, and no lease left behind
 * when the caller cancels mid-way or the allocation's outcome is unknown (a 5xx, a deadline or a cut
 * connection after the request was sent): such an allocation is settled by its request id before the
 * failure is answered.
 */
@ApplicationScoped
public class Allocations {

    private static final Logger LOG = Logger.getLogger(Allocations.class);
    /** The allocator's answer when fewer replicas than its {@code wait-replicas} acknowledged a grant in time. */
    static final String REPLICATION_TIMEOUT = "REPLICATION_TIMEOUT";
    /** Replays after a replication timeout: a replica that lagged once usually catches up within a second. */
    private static final int REPLICATION_RETRIES = 3;
    private static final Duration REPLICATION_BACKOFF = Duration.ofMillis(250);
    /**
     * Settling asks until the allocator answers definitely, at most this often, the pause doubling from
     * {@link #SETTLE_BACKOFF} up to {@link #SETTLE_BACKOFF_MAX}: about 8 s in all, longer than a Redis
     * failover usually takes, short enough that the worker's failure is not held back for long.
     */
    private static final int SETTLE_ATTEMPTS = 6;
    private static final Duration SETTLE_BACKOFF = Duration.ofMillis(250);
    private static final Duration SETTLE_BACKOFF_MAX = Duration.ofSeconds(4);
    /** A settling mark outlives the longest a lease of the request can live unrenewed by this much. */
    private static final Duration UNSETTLED_MARGIN = Duration.ofMinutes(1);

    private final AllocatorApi allocator;
    private final WorkerResources resources;
    private final UnsettledRequests unsettled;
    private final Duration progressInterval;
    private final int renewTimeoutSeconds;
    private final WorkerActivities activities;

    public Allocations(AllocatorApi allocator, WorkerResources resources, UnsettledRequests unsettled,
            GatewayConfig config, WorkerActivities activities) {
        this.activities = activities;
        this.allocator = allocator;
        this.resources = resources;
        this.unsettled = unsettled;
        this.progressInterval = config.mcp().progressInterval();
        this.renewTimeoutSeconds = config.leases().renewTimeoutSeconds();
    }

    public Uni<JsonNode> allocate(String workerId, List<String> types, int timeoutSeconds, long waitMs,
            ProgressSink progress) {
        // The request id makes the allocator answer a repeat with the first grant, and lets the gateway
        // release exactly what this request granted: retries and settling never touch another grant.
        String requestId = UUID.randomUUID().toString();
        long start = System.currentTimeMillis();
        Cancellable ticker = waitMs <= 0 ? () -> { } : Multi.createFrom().ticks().every(progressInterval)
                .subscribe().with(t -> progress.report(System.currentTimeMillis() - start, (double) waitMs,
                        "waiting for " + String.join(", ", types)));
        if (waitMs > 0) {
            ObjectNode details = JsonNodeFactory.instance.objectNode().put("request_id", requestId).put("wait_ms", waitMs);
            types.forEach(details.putArray("resource_types")::add);
            activities.report(workerId, Severity.INFO, "allocation.queued", details);
        }
        return ask(workerId, types, timeoutSeconds, waitMs, requestId, REPLICATION_RETRIES)
                // recorded before anything else: a grant whose record fails is settled like any unknown outcome
                .call(granted -> resources.record(workerId, granted))
                .invoke(granted -> {
                    if (waitMs > 0) {
                        activities.report(workerId, Severity.INFO, "allocation.granted", JsonNodeFactory.instance.objectNode()
                                .put("request_id", requestId).put("waited_ms", System.currentTimeMillis() - start));
                    }
                })
                // the allocator may have kept a grant whose answer never reached the worker: nothing may stay leased for it
                .onFailure(Allocations::outcomeUnknown).call(e -> settle(workerId, requestId, timeoutSeconds))
                .eventually(ticker::cancel)
                .onCancellation().invoke(() -> settle(workerId, requestId, timeoutSeconds).subscribe().with(
                        v -> { }, e -> LOG.warnf("settling cancelled allocation %s failed: %s", requestId, e.getMessage())));
    }

    /**
     * One {@code /allocate}, asked again with the same request id (which replays a kept grant, never a
     * second one) while the allocator answers 503 {@code REPLICATION_TIMEOUT}: that answer means the
     * master applied the grant but too few replicas acknowledged it in time.
     */
    private Uni<JsonNode> ask(String workerId, List<String> types, int timeoutSeconds, long waitMs, String requestId,
            int retriesLeft) {
        return allocator.allocate(workerId, types, timeoutSeconds, waitMs, requestId).chain(reply -> {
            if (reply.ok()) {
                return Uni.createFrom().item(reply.body());
            }
            if (retriesLeft > 0 && isReplicationTimeout(reply)) {
                LOG.infof("allocation %s for worker %s: replication timed out, asking again", requestId, workerId);
                // wait_ms 0: the grant was made, a replay answers at once and there is nothing to queue for again
                return Uni.createFrom().voidItem().onItem().delayIt().by(REPLICATION_BACKOFF)
                        .chain(() -> ask(workerId, types, timeoutSeconds, 0, requestId, retriesLeft - 1));
            }
            return Uni.createFrom().failure(Downstream.failureOf("allocator", reply));
        });
    }

    private static boolean isReplicationTimeout(Reply reply) {
        return reply.status() == 503 && REPLICATION_TIMEOUT.equals(reply.body().path("error").path("code").asText());
    }

    /**
     * Whether the allocator may hold a grant the worker never heard of. Only a refusal (a 4xx: nothing was
     * granted) and a call that was never sent (an open circuit, a full bulkhead) are definite; any 5xx
     * ({@code REPLICATION_TIMEOUT} past the replays, {@code REDIS_UNAVAILABLE} when the script ran but its
     * reply broke, ...), a deadline or a connection cut after sending, or a grant the gateway failed to
     * record, may have left one.
     */
    static boolean outcomeUnknown(Throwable e) {
        if (!(e instanceof ToolFailure failure)) {
            return true;
        }
        return failure.status() >= 500 && !ErrorCode.BACKEND_CIRCUIT_OPEN.equals(failure.code())
                && !ErrorCode.BACKEND_BUSY.equals(failure.code());
    }

    /**
     * Before a failed allocation is answered (or after a cancellation): the allocator releases what the
     * request id granted, or withdraws the id so a copy still on its way grants nothing. Asked again, with
     * backoff, until it answers definitely. Meanwhile the request is marked unsettled, so the keep-alive
     * renews only what the worker was told of; if no definite answer comes, the mark stays until any lease
     * of the request has expired unrenewed. Never fails: the caller gets the allocation's own failure.
     */
    private Uni<Void> settle(String workerId, String requestId, int timeoutSeconds) {
        Duration lapse = Duration.ofSeconds(Math.max(timeoutSeconds, renewTimeoutSeconds)).plus(UNSETTLED_MARGIN);
        return unsettled.mark(workerId, requestId, lapse)
                .onFailure().invoke(e -> LOG.warnf("could not mark allocation %s of worker %s unsettled: %s",
                        requestId, workerId, e.getMessage()))
                .onFailure().recoverWithNull()
                .chain(() -> releaseRequest(workerId, requestId, 0))
                .chain(settled -> {
                    if (!settled) {
                        LOG.warnf("allocation %s for worker %s failed and could not be settled; whatever it granted "
                                + "is not renewed and ends at its expiry", requestId, workerId);
                        return Uni.createFrom().voidItem();
                    }
                    LOG.infof("allocation %s for worker %s failed; nothing held", requestId, workerId);
                    return unsettled.clear(workerId, requestId);
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("settling allocation %s for worker %s failed: %s", requestId, workerId, e.getMessage());
                    return null;
                });
    }

    /**
     * {@code POST /release/request}, asked again while the answer is no answer (a 5xx, a deadline, a broken
     * connection). True once the allocator released or withdrew the request; false when it refused (a 4xx,
     * which asking again cannot change) or never answered definitely.
     */
    private Uni<Boolean> releaseRequest(String workerId, String requestId, int attempt) {
        return allocator.releaseRequest(workerId, requestId)
                .onFailure().recoverWithItem(e -> {
                    LOG.infof("settling allocation %s for worker %s: %s", requestId, workerId, e.getMessage());
                    return null;
                })
                .chain(reply -> {
                    if (reply != null && reply.ok()) {
                        return forgetReleased(workerId, reply).replaceWith(true);
                    }
                    if (reply != null && reply.status() < 500) {
                        LOG.warnf("settling allocation %s for worker %s refused: %s %s", requestId, workerId,
                                reply.status(), reply.body());
                        return Uni.createFrom().item(false);
                    }
                    if (attempt + 1 >= SETTLE_ATTEMPTS) {
                        return Uni.createFrom().item(false);
                    }
                    long pause = Math.min(SETTLE_BACKOFF.toMillis() << attempt, SETTLE_BACKOFF_MAX.toMillis());
                    return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(pause))
                            .chain(() -> releaseRequest(workerId, requestId, attempt + 1));
                });
    }

    /**
     * The ended leases ({@code <resource id>:<fence>}) leave the worker's record, had they reached it: those released
     * and those the allocator found past their expiry and reclaimed as expiries (the record must not wait for the
     * expiry message to drop them).
     */
    private Uni<Void> forgetReleased(String workerId, Reply reply) {
        List<String> ids = new ArrayList<>();
        for (String ended : List.of("released", "expired")) {
            reply.body().path(ended).forEach(lease -> {
                String leaseId = lease.asText();
                int fence = leaseId.lastIndexOf(':');
                ids.add(fence < 0 ? leaseId : leaseId.substring(0, fence));
            });
        }
        return ids.isEmpty() ? Uni.createFrom().voidItem() : resources.forget(workerId, ids);
    }
}

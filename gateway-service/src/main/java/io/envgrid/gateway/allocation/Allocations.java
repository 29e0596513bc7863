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
import java.util.concurrent.Semaphore;
import java.util.function.IntPredicate;
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
     * Settling asks this often before the worker's failure is answered, the pause doubling from
     * {@link #SETTLE_BACKOFF} up to {@link #SETTLE_BACKOFF_MAX}: about 8 s, so the failure is not held back for
     * long. Without a definite answer by then it goes on asking in the background, every
     * {@link #SETTLE_BACKOFF_MAX}, until the mark lapses (at most {@code leases.background-settles} at once): a
     * Redis failover, with the allocator's circuit breaker open after it, outlasted those 8 s in the soak, and the
     * grant it left was then held by nobody until its expiry.
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
    /** Free places for background settling ({@code envgrid.gateway.leases.background-settles}). */
    private final Semaphore backgroundSettles;

    public Allocations(AllocatorApi allocator, WorkerResources resources, UnsettledRequests unsettled,
            GatewayConfig config, WorkerActivities activities) {
        this.activities = activities;
        this.allocator = allocator;
        this.resources = resources;
        this.unsettled = unsettled;
        this.progressInterval = config.mcp().progressInterval();
        this.renewTimeoutSeconds = config.leases().renewTimeoutSeconds();
        this.backgroundSettles = new Semaphore(Math.max(0, config.leases().backgroundSettles()));
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
     * request id granted, or withdraws the id so a copy still on its way grants nothing. Asked
     * {@link #SETTLE_ATTEMPTS} times, with backoff, before the caller gets the allocation's own failure; then,
     * if no definite answer came, on in the background until the request's mark lapses. Meanwhile the
     * request is marked unsettled, so the keep-alive renews only what the worker was told of; a mark that
     * lapses unsettled leaves any lease of the request to end at its expiry. Never fails.
     */
    private Uni<Void> settle(String workerId, String requestId, int timeoutSeconds) {
        Duration lapse = Duration.ofSeconds(Math.max(timeoutSeconds, renewTimeoutSeconds)).plus(UNSETTLED_MARGIN);
        long lapsesAt = System.currentTimeMillis() + lapse.toMillis();
        return unsettled.mark(workerId, requestId, lapse)
                .onFailure().invoke(e -> LOG.warnf("could not mark allocation %s of worker %s unsettled: %s",
                        requestId, workerId, e.getMessage()))
                .onFailure().recoverWithNull()
                .chain(() -> releaseRequest(workerId, requestId, 0, attempt -> attempt < SETTLE_ATTEMPTS))
                .invoke(settlement -> {
                    if (settlement == Settlement.UNANSWERED && !backgroundSettles.tryAcquire()) {
                        LOG.warnf("allocation %s for worker %s failed and could not be settled (as many settlings as "
                                + "allowed already go on in the background); whatever it granted is not renewed and "
                                + "ends at its expiry", requestId, workerId);
                    } else if (settlement == Settlement.UNANSWERED) {
                        LOG.infof("allocation %s for worker %s failed and is not settled yet; asking on in the "
                                + "background", requestId, workerId);
                        Uni.createFrom().voidItem().onItem().delayIt().by(SETTLE_BACKOFF_MAX)
                                .chain(() -> releaseRequest(workerId, requestId, SETTLE_ATTEMPTS,
                                        attempt -> System.currentTimeMillis() + SETTLE_BACKOFF_MAX.toMillis() < lapsesAt))
                                .chain(late -> settled(workerId, requestId, late))
                                .onTermination().invoke(backgroundSettles::release)
                                .subscribe().with(v -> { }, e -> LOG.warnf("settling allocation %s for worker %s "
                                        + "failed: %s", requestId, workerId, e.getMessage()));
                    }
                })
                .chain(settlement -> settlement == Settlement.UNANSWERED ? Uni.createFrom().voidItem()
                        : settled(workerId, requestId, settlement))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("settling allocation %s for worker %s failed: %s", requestId, workerId, e.getMessage());
                    return null;
                });
    }

    /** The end of settling: the mark goes once the allocator released or withdrew the request. */
    private Uni<Void> settled(String workerId, String requestId, Settlement settlement) {
        if (settlement != Settlement.RELEASED) {
            LOG.warnf("allocation %s for worker %s failed and could not be settled (%s); whatever it granted is not "
                    + "renewed and ends at its expiry", requestId, workerId, settlement);
            return Uni.createFrom().voidItem();
        }
        LOG.infof("allocation %s for worker %s failed; nothing held", requestId, workerId);
        return unsettled.clear(workerId, requestId);
    }

    /** How one round of settling ended. */
    private enum Settlement {
        /** The allocator released or withdrew the request (200). */
        RELEASED,
        /** The allocator refused (a 4xx): asking again cannot change that. */
        REFUSED,
        /** No definite answer (5xx, deadline, broken connection, open circuit) within the attempts allowed. */
        UNANSWERED
    }

    /**
     * {@code POST /release/request}, asked again while the answer is no answer (a 5xx, a deadline, a broken
     * connection, an open circuit) and {@code another} allows the next attempt (given its number, from 0); the
     * pause before attempt n is {@link #SETTLE_BACKOFF} doubled n-1 times, at most {@link #SETTLE_BACKOFF_MAX}.
     */
    private Uni<Settlement> releaseRequest(String workerId, String requestId, int attempt, IntPredicate another) {
        return allocator.releaseRequest(workerId, requestId)
                .onFailure().recoverWithItem(e -> {
                    LOG.debugf("settling allocation %s for worker %s: %s", requestId, workerId, e.getMessage());
                    return null;
                })
                .chain(reply -> {
                    if (reply != null && reply.ok()) {
                        return forgetReleased(workerId, reply).replaceWith(Settlement.RELEASED);
                    }
                    if (reply != null && reply.status() < 500) {
                        LOG.warnf("settling allocation %s for worker %s refused: %s %s", requestId, workerId,
                                reply.status(), reply.body());
                        return Uni.createFrom().item(Settlement.REFUSED);
                    }
                    if (!another.test(attempt + 1)) {
                        return Uni.createFrom().item(Settlement.UNANSWERED);
                    }
                    long pause = Math.min(SETTLE_BACKOFF.toMillis() << Math.min(attempt, 16), SETTLE_BACKOFF_MAX.toMillis());
                    return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(pause))
                            .chain(() -> releaseRequest(workerId, requestId, attempt + 1, another));
                });
    }

    /**
     * The ended leases ({@code <resource id>:<fence>}) leave the worker's record, had they reached it: those released
     * and those the allocator found past their expiry and reclaimed as expiries (the record must not wait for the
     * expiry message to drop them). By lease, not by resource: the same resource granted to the worker again since
     * (its retry) stays recorded.
     */
    private Uni<Void> forgetReleased(String workerId, Reply reply) {
        List<String> leaseIds = new ArrayList<>();
        for (String ended : List.of("released", "expired")) {
            reply.body().path(ended).forEach(lease -> leaseIds.add(lease.asText()));
        }
        return leaseIds.isEmpty() ? Uni.createFrom().voidItem() : resources.forgetLeases(workerId, leaseIds);
    }
}

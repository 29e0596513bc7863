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
 * when the caller cancels mid-way or the allocation fails after the request was sent.
 */
@ApplicationScoped
public class Allocations {

    private static final Logger LOG = Logger.getLogger(Allocations.class);
    /** The allocator's answer when fewer replicas than its {@code wait-replicas} acknowledged a grant in time. */
    static final String REPLICATION_TIMEOUT = "REPLICATION_TIMEOUT";
    /** Replays after a replication timeout: a replica that lagged once usually catches up within a second. */
    private static final int REPLICATION_RETRIES = 3;
    private static final Duration REPLICATION_BACKOFF = Duration.ofMillis(250);

    private final AllocatorApi allocator;
    private final WorkerResources resources;
    private final Duration progressInterval;
    private final WorkerActivities activities;

    public Allocations(AllocatorApi allocator, WorkerResources resources, GatewayConfig config,
            WorkerActivities activities) {
        this.activities = activities;
        this.allocator = allocator;
        this.resources = resources;
        this.progressInterval = config.mcp().progressInterval();
    }

    public Uni<JsonNode> allocate(String workerId, List<String> types, int timeoutSeconds, long waitMs,
            ProgressSink progress) {
        // The request id makes the allocator answer a repeat with the first grant: retries and the
        // undo after a cancellation can never take a second set of resources.
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
                // the allocator may have kept a grant whose answer never arrived: nothing may stay leased for it
                .onFailure(Allocations::mayHaveGranted).call(e -> settle(workerId, types, timeoutSeconds, requestId))
                .invoke(granted -> {
                    if (waitMs > 0) {
                        activities.report(workerId, Severity.INFO, "allocation.granted", JsonNodeFactory.instance.objectNode()
                                .put("request_id", requestId).put("waited_ms", System.currentTimeMillis() - start));
                    }
                })
                .call(granted -> resources.record(workerId, granted))
                .eventually(ticker::cancel)
                .onCancellation().invoke(() -> undo(workerId, types, timeoutSeconds, requestId));
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
     * Failures after which the allocator may hold a grant the worker never heard of: a replication
     * timeout that outlived the retries, a connection that broke or a deadline that passed after the
     * request was sent. (An open circuit or a full bulkhead never sent it.)
     */
    private static boolean mayHaveGranted(Throwable e) {
        return e instanceof ToolFailure failure && (REPLICATION_TIMEOUT.equals(failure.code())
                || ErrorCode.BACKEND_UNREACHABLE.equals(failure.code()) || ErrorCode.BACKEND_TIMEOUT.equals(failure.code()));
    }

    /**
     * Before a failed allocation is answered: replay the request id and release what it granted, so
     * no lease outlives an answer the worker never got (its keep-alive would otherwise renew it). A
     * failure here is only logged; the caller gets the allocation's own failure.
     */
    private Uni<Void> settle(String workerId, List<String> types, int timeoutSeconds, String requestId) {
        return allocator.allocate(workerId, types, timeoutSeconds, 0, requestId)
                .chain(reply -> reply.ok() ? release(workerId, reply) : Uni.createFrom().voidItem())
                .onItem().invoke(() -> LOG.infof("allocation %s for worker %s failed; nothing held", requestId, workerId))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("allocation %s for worker %s failed and its settling failed too: %s", requestId, workerId,
                            e.getMessage());
                    return null;
                });
    }

    /**
     * After a cancellation the grant may have happened anyway (the answer was on its way): ask
     * again with the same request id, which replays that grant or takes one now, and release it.
     */
    private void undo(String workerId, List<String> types, int timeoutSeconds, String requestId) {
        allocator.allocate(workerId, types, timeoutSeconds, 0, requestId)
                .chain(reply -> reply.ok() ? release(workerId, reply) : Uni.createFrom().voidItem())
                .subscribe().with(
                        v -> LOG.infof("allocation %s for worker %s cancelled; nothing held", requestId, workerId),
                        e -> LOG.warnf("undo of cancelled allocation %s for worker %s failed: %s", requestId, workerId,
                                e.getMessage()));
    }

    private Uni<Void> release(String workerId, Reply reply) {
        List<String> ids = new ArrayList<>();
        reply.body().fields().forEachRemaining(e -> ids.add(e.getValue().path("id").asText()));
        return allocator.releaseBatch(workerId, ids).chain(() -> resources.forget(workerId, ids));
    }
}

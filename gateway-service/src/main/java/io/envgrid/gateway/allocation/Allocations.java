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
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Allocation on behalf of a worker: one all-or-nothing /allocate, the grant recorded for the
 * worker, progress while it waits in the allocator's queue, a grant the allocator kept but could
 * not confirm (503 {@code REPLICATION_TIMEOUT}) replayed by its request id, and no lease left behind
 * when the caller cancels mid-way or the allocation's outcome is unknown (a 5xx, a deadline or a cut
 * connection after the request was sent): such an allocation is settled by its request id ({@link RequestSettling})
 * before the failure is answered, and after it by any replica until settled.
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
    private final RequestSettling settling;
    private final Duration progressInterval;
    private final WorkerActivities activities;

    public Allocations(AllocatorApi allocator, WorkerResources resources, RequestSettling settling,
            GatewayConfig config, WorkerActivities activities) {
        this.activities = activities;
        this.allocator = allocator;
        this.resources = resources;
        this.settling = settling;
        this.progressInterval = config.mcp().progressInterval();
    }

    /** {@link #allocate(String, List, int, long, String, ProgressSink)} under a fresh request id. */
    public Uni<JsonNode> allocate(String workerId, List<String> types, int timeoutSeconds, long waitMs,
            ProgressSink progress) {
        return allocate(workerId, types, timeoutSeconds, waitMs, UUID.randomUUID().toString(), progress);
    }

    /**
     * Allocates {@code types} for the worker (leases of {@code timeoutSeconds}, waiting up to {@code waitMs} ms in the
     * allocator's queue) under {@code requestId}, a new id: the grant answer, {@code {<type>: entry}}, recorded for the
     * worker. The request id makes the allocator answer a repeat with the first grant, and lets the gateway release
     * exactly what this request granted ({@link io.envgrid.gateway.lease.WorkerCleanup#releaseGrant}): retries,
     * settling and give-backs never touch another grant, not even a later one of the same resource.
     */
    public Uni<JsonNode> allocate(String workerId, List<String> types, int timeoutSeconds, long waitMs,
            String requestId, ProgressSink progress) {
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
                .onFailure(Allocations::outcomeUnknown).call(e -> settling.settle(workerId, requestId, timeoutSeconds))
                .eventually(ticker::cancel)
                .onCancellation().invoke(() -> settling.settle(workerId, requestId, timeoutSeconds).subscribe().with(
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
}

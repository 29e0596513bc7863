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
 * worker, progress while it waits in the allocator's queue, and no lease left behind when the
 * caller cancels mid-way.
 */
@ApplicationScoped
public class Allocations {

    private static final Logger LOG = Logger.getLogger(Allocations.class);

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
        return allocator.allocate(workerId, types, timeoutSeconds, waitMs, requestId)
                .map(reply -> {
                    if (!reply.ok()) {
                        throw Downstream.failureOf("allocator", reply);
                    }
                    return reply.body();
                })
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

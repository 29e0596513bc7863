package io.envgrid.gateway.lease;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.client.VmControllerApi;
import io.envgrid.gateway.desktop.VmTypes;
import io.envgrid.gateway.error.ToolFailure;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Gives resources back: the allocator's release first (the authority, which refuses another
 * worker's lease), then the controller sessions and the worker's record, for what it released, also when it
 * answered an error that lists a part it released anyway.
 */
@ApplicationScoped
public class WorkerCleanup {

    private static final Logger LOG = Logger.getLogger(WorkerCleanup.class);

    private final AllocatorApi allocator;
    private final VmControllerApi vmController;
    private final WorkerResources resources;

    private final LeaseEndTelling telling;

    @Inject
    public WorkerCleanup(AllocatorApi allocator, VmControllerApi vmController, WorkerResources resources,
            Instance<LeaseEndListener> listeners) {
        this(allocator, vmController, resources, listeners.stream().toList(), Duration.ofSeconds(1));
    }

    /** With the listeners given and the first retry's wait of their telling (a test's). */
    WorkerCleanup(AllocatorApi allocator, VmControllerApi vmController, WorkerResources resources,
            List<LeaseEndListener> listeners, Duration firstRetry) {
        this.allocator = allocator;
        this.vmController = vmController;
        this.resources = resources;
        this.telling = new LeaseEndTelling(listeners, firstRetry);
    }

    /**
     * Releases {@code resourceIds}. When the allocator refuses part of them (403 {@code NOT_LEASE_HOLDER}: a lease
     * granted to another worker meanwhile) or fails in one cell after other cells released their part, its error
     * lists that part in {@code details.applied}: those leases are gone, so they leave the worker's record and
     * their sessions end as after a success, and the error is passed on.
     */
    public Uni<JsonNode> release(String workerId, List<String> resourceIds) {
        return resources.all(workerId).chain(held -> allocator.releaseBatch(workerId, resourceIds)
                .call(() -> released(workerId, held, resourceIds))
                .onFailure(ToolFailure.class)
                .call(e -> released(workerId, held, appliedOf((ToolFailure) e, resourceIds))));
    }

    /**
     * Releases exactly what the allocation {@code requestId} granted the worker ({@code /release/request}: by lease, so
     * a later grant of the same resource to the same worker stays leased). The leases it released, or found expired,
     * leave the worker's record, their controller sessions end and the listeners are told, as after {@link #release}.
     * The allocator's answer ({@link AllocatorApi#releaseGrant}); its error is passed on after the leases it lists as
     * settled anyway ({@code details.applied.released} and {@code expired}: other cells settled their part before one
     * failed or found the id another worker's) have gone the same way.
     */
    public Uni<JsonNode> releaseGrant(String workerId, String requestId) {
        return allocator.releaseGrant(workerId, requestId)
                .call(answer -> leasesEnded(workerId, answer))
                .onFailure(ToolFailure.class).call(e -> ((ToolFailure) e).details().get("applied") instanceof JsonNode
                        applied ? leasesEnded(workerId, applied) : Uni.createFrom().voidItem());
    }

    /** The leases {@code settled} lists as {@code released} or {@code expired}: record, sessions and listeners follow. */
    private Uni<Void> leasesEnded(String workerId, JsonNode settled) {
        List<String> leaseIds = new ArrayList<>();
        for (String ended : List.of("released", "expired")) {
            settled.path(ended).forEach(lease -> leaseIds.add(lease.asText()));
        }
        return leaseIds.isEmpty() ? Uni.createFrom().voidItem() : resources.forgetLeases(workerId, leaseIds)
                .call(removed -> endSessions(workerId, vms(removed)))
                .chain(removed -> ended(workerId, removed));
    }

    /** The allocator no longer leases {@code resourceIds} to the worker: sessions, record and listeners follow. */
    private Uni<Void> released(String workerId, Map<String, JsonNode> held, List<String> resourceIds) {
        if (resourceIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return endSessions(workerId, vms(held.values()).stream()
                        .filter(e -> resourceIds.contains(e.path("id").asText())).toList())
                .chain(() -> resources.forget(workerId, resourceIds))
                .chain(removed -> ended(workerId, removed));
    }

    /**
     * The ids among {@code asked} that an allocator error says were handled anyway ({@code details.applied}: per
     * id what the success answer would have said, released or no longer the worker's); none when it says nothing.
     */
    static List<String> appliedOf(ToolFailure failure, List<String> asked) {
        if (failure.details().get("applied") instanceof JsonNode applied && applied.isObject()) {
            return asked.stream().filter(applied::has).distinct().toList();
        }
        return List.of();
    }

    /** Everything the worker holds, whatever this gateway knows of it (the allocator knows all). */
    public Uni<JsonNode> releaseAll(String workerId) {
        return resources.all(workerId).chain(held -> allocator.releaseWorker(workerId)
                .call(() -> endSessions(workerId, vms(held.values())))
                .call(() -> resources.forgetAll(workerId).chain(removed -> ended(workerId, removed)))
                // a cell that failed after others released: what they released is gone all the same
                .onFailure(ToolFailure.class)
                .call(e -> released(workerId, held, appliedOf((ToolFailure) e, ids(held)))));
    }

    /**
     * State built on the released leases (a Sandbox session holding one) goes with them, whoever released them: told
     * for the entries this release removed from the record (an entry an expiry removed first was told by it), each
     * with its fencing token, so a listener ends only that grant's state. Each listener is told on its own, tried
     * again when it fails, and one failing for good is logged, not raised: the allocator released the lease and the
     * entry is gone, so the client's retry of the release would remove, and tell, nothing.
     */
    private Uni<Void> ended(String workerId, List<JsonNode> removed) {
        return telling.told(workerId, removed);
    }

    /**
     * Ends controller sessions; a failure here is logged, not raised: the lease is already gone and
     * the controller ends the session itself when it hears of the release's expiry signal or TTL.
     */
    private Uni<Void> endSessions(String workerId, List<JsonNode> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> ends = new ArrayList<>();
        for (JsonNode entry : entries) {
            String id = entry.path("id").asText();
            ends.add(vmController.closeSession(workerId, entry).replaceWithVoid()
                    .onFailure().recoverWithItem(e -> {
                        LOG.warnf("could not end controller session %s/%s: %s", workerId, id, e.getMessage());
                        return null;
                    }));
        }
        return Uni.join().all(ends).andCollectFailures().replaceWithVoid();
    }

    /** The resource ids of the worker's record. */
    private static List<String> ids(Map<String, JsonNode> held) {
        return held.values().stream().map(e -> e.path("id").asText()).toList();
    }

    /** The VM entries among the worker's resources: only they have controller sessions. */
    private static List<JsonNode> vms(Collection<JsonNode> entries) {
        return entries.stream().filter(e -> VmTypes.isVm(e.path("type").asText())).toList();
    }
}

package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.allocation.Allocations;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.lease.WorkerCleanup;
import io.envgrid.gateway.sandbox.profile.ResourceProfile;
import io.envgrid.gateway.tool.ExactInteger;
import io.envgrid.gateway.tool.ProgressSink;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A stateful backend whose session is one resource leased from the allocator: {@code initialize}
 * allocates it (all-or-nothing, recorded for the worker like an MCP allocation) and prepares it;
 * {@code cleanup} releases that grant (by the allocation's request id, which the entry carries). A resource that cannot be prepared is released before the failure
 * is reported, and one whose caller cancels (or goes away) is released too, so a failed or
 * abandoned session holds nothing. A backend whose config may name nothing leasable (rag without a
 * leased collection) has sessions that hold nothing: {@code initialize} answers a JSON null and
 * {@code cleanup} has nothing to give back.
 */
abstract class LeasedBackend implements SessionBackend {

    static final int DEFAULT_LEASE_SECONDS = 600;
    /** The field of a session's resource entry naming the allocation that granted it (shown to its worker too). */
    static final String REQUEST_ID = "request_id";

    private final ResourceProfile profile;
    private final Allocations allocations;
    private final WorkerCleanup cleanup;
    private final AllocatorApi allocator;

    LeasedBackend(ResourceProfile profile, Allocations allocations, WorkerCleanup cleanup, AllocatorApi allocator) {
        this.profile = profile;
        this.allocations = allocations;
        this.cleanup = cleanup;
        this.allocator = allocator;
    }

    @Override
    public ResourceProfile profile() {
        return profile;
    }

    String allocatorType() {
        return profile.config().path("allocator_type").asText();
    }

    @Override
    public void checkConfig(ObjectNode config) {
        leaseSeconds(config);
        waitMs(config);
        checkLeased(config);
    }

    /** Refuses (400) a config naming what this backend cannot lease: by default an {@code allocator_type} outside its prefix. */
    void checkLeased(ObjectNode config) {
        String type = config.path("allocator_type").asText(allocatorType());
        if (!profile.backend().serves(type)) {
            throw ToolFailure.invalid("'allocator_type' " + type + " is not served by the " + profile.resourceType()
                    + " backend (" + profile.backend().allocatorTypePrefix() + "*)");
        }
    }

    @Override
    public Uni<JsonNode> initialize(String workerId, ObjectNode config) {
        checkConfig(config);
        int lease = leaseSeconds(config);
        long waitMs = waitMs(config);
        String requestId = UUID.randomUUID().toString();
        return leasedType(config).chain(type -> type.isEmpty() ? Uni.createFrom().item(NullNode.getInstance())
                : allocations.allocate(workerId, List.of(type.get()), lease, waitMs, requestId, ProgressSink.NONE)
                        .map(granted -> (JsonNode) ((ObjectNode) granted.elements().next()).deepCopy()
                                .put(REQUEST_ID, requestId))
                        .chain(entry -> prepare(workerId, entry, config)
                                .onFailure().call(() -> cleanup(workerId, entry))
                                // the caller gave up while the resource was being prepared: it goes back too
                                .onCancellation().call(() -> cleanup(workerId, entry).onFailure().recoverWithNull())
                                .replaceWith(entry)));
    }

    /**
     * The allocator type a session with this (checked) config leases, or empty when it leases nothing: the config's
     * {@code allocator_type} by default, else the profile's.
     */
    Uni<Optional<String>> leasedType(ObjectNode config) {
        return Uni.createFrom().item(Optional.of(config.path("allocator_type").asText(allocatorType())));
    }

    /** The lease length a config asks for, exactly (4294967297 is refused, not read as 1), 1 to 86400 seconds. */
    private static int leaseSeconds(ObjectNode config) {
        JsonNode value = config.get("lease_timeout");
        return value == null ? DEFAULT_LEASE_SECONDS : (int) ExactInteger.within(value, "config.lease_timeout", 1, 86_400);
    }

    /** How long a config lets the allocation wait, exactly, 0 to 600000 ms. */
    private static long waitMs(ObjectNode config) {
        JsonNode value = config.get("wait_ms");
        return value == null ? 0 : ExactInteger.within(value, "config.wait_ms", 0, 600_000);
    }

    /** Makes a freshly leased resource ready for the worker's calls; nothing to do by default. */
    Uni<Void> prepare(String workerId, JsonNode resource, ObjectNode config) {
        return Uni.createFrom().voidItem();
    }

    /**
     * Gives the session's resource back: exactly the grant {@link #initialize} made, by its {@code request_id}, so a
     * later grant of the same resource to the worker (the lease ended meanwhile and the worker was granted it again)
     * stays leased. A resource without one (a session stored before the entry carried it) is released by id.
     */
    @Override
    public Uni<Void> cleanup(String workerId, JsonNode resource) {
        if (resource == null || resource.isNull()) {
            return Uni.createFrom().voidItem();
        }
        return (resource.hasNonNull(REQUEST_ID) ? cleanup.releaseGrant(workerId, resource.get(REQUEST_ID).asText())
                : cleanup.release(workerId, List.of(resource.path("id").asText()))).replaceWithVoid();
    }

    /** The pool of the backend's allocator type, as the allocator counts it. */
    Uni<ObjectNode> poolStatus() {
        return allocator.stats().map(stats -> {
            ObjectNode status = JsonNodeFactory.instance.objectNode().put("allocator", "ready");
            JsonNode pool = stats.path("types").path(allocatorType());
            status.set("pool", pool.isMissingNode() ? JsonNodeFactory.instance.objectNode() : pool);
            status.put("allocator_type", allocatorType());
            return status;
        });
    }
}

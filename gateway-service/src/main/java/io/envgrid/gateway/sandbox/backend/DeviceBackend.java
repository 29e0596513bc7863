package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.allocation.Allocations;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.lease.WorkerCleanup;
import io.envgrid.gateway.sandbox.profile.ResourceProfile;
import io.smallrye.mutiny.Uni;

/**
 * Test devices (the device agents' tools): a session leases one device of the configured type; its tools are the
 * registry's {@code device} tools ({@code device.execute} as {@code phone:execute}), routed to the
 * agent that owns the leased device.
 */
final class DeviceBackend extends LeasedBackend {

    DeviceBackend(ResourceProfile profile, Allocations allocations, WorkerCleanup cleanup, AllocatorApi allocator) {
        super(profile, allocations, cleanup, allocator);
    }

    @Override
    public Uni<JsonNode> warmup() {
        return poolStatus().map(JsonNode.class::cast);
    }
}

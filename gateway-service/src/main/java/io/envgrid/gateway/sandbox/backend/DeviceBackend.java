package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.allocation.Allocations;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.lease.WorkerCleanup;
import io.envgrid.gateway.sandbox.profile.ResourceProfile;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * Test devices (seed 004): a session leases one device of the configured type; its tools are the
 * gateway's {@code device.*} tools, routed to the agent that owns the leased device.
 */
final class DeviceBackend extends LeasedBackend {

    private static final List<String> TOOLS = List.of("execute", "upload", "download", "status", "info", "connect", "disconnect");

    private final DelegatedTools delegated;

    DeviceBackend(ResourceProfile profile, Allocations allocations, WorkerCleanup cleanup, AllocatorApi allocator,
            DelegatedTools delegated) {
        super(profile, allocations, cleanup, allocator);
        this.delegated = delegated;
    }

    @Override
    public List<BackendTool> tools() {
        return TOOLS.stream().map(t -> delegated.delegate(t, "device." + t)).toList();
    }

    @Override
    public Uni<JsonNode> warmup() {
        return poolStatus().map(JsonNode.class::cast);
    }
}

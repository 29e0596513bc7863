package io.envgrid.gateway.sandbox.backend;

import io.envgrid.gateway.allocation.Allocations;
import io.envgrid.gateway.allocation.ResourceSetup;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.client.ServiceProbe;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.lease.WorkerCleanup;
import io.envgrid.gateway.sandbox.profile.ResourceProfile;
import jakarta.enterprise.context.ApplicationScoped;

/** Builds the backend a profile entry names; the kinds are a closed set, so no class is loaded by name. */
@ApplicationScoped
public class SandboxBackends {

    private final Allocations allocations;
    private final WorkerCleanup cleanup;
    private final AllocatorApi allocator;
    private final ResourceSetup setup;
    private final ServiceProbe probe;
    private final Backends backends;

    public SandboxBackends(Allocations allocations, WorkerCleanup cleanup, AllocatorApi allocator,
            ResourceSetup setup, ServiceProbe probe, Backends backends) {
        this.allocations = allocations;
        this.cleanup = cleanup;
        this.allocator = allocator;
        this.setup = setup;
        this.probe = probe;
        this.backends = backends;
    }

    public SandboxBackend create(ResourceProfile profile) {
        return switch (profile.backend()) {
            case DESKTOP -> new DesktopBackend(profile, allocations, cleanup, allocator, setup, probe, backends);
            case DEVICE -> new DeviceBackend(profile, allocations, cleanup, allocator);
            case RAG -> new RagBackend(profile, allocations, cleanup, allocator, probe, backends);
        };
    }
}

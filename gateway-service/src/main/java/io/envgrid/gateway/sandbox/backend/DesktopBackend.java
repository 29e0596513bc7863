package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.allocation.Allocations;
import io.envgrid.gateway.allocation.ResourceSetup;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.client.ServiceProbe;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.lease.WorkerCleanup;
import io.envgrid.gateway.sandbox.profile.ResourceProfile;
import io.envgrid.gateway.tool.ProgressSink;
import io.smallrye.mutiny.Uni;
import java.util.Map;

/**
 * Desktops (OSWorld VMs, device agents' X displays): a session leases one, opens its controller
 * session and runs the profile's init commands and the session's OSWorld task config ({@code task_config}). Its tools are the {@code desktop} tools of the
 * registry ({@code desktop.click} as {@code vm:click}, {@code computer}, {@code pyautogui}, …).
 */
final class DesktopBackend extends LeasedBackend {

    private final ResourceSetup setup;
    private final ServiceProbe probe;
    private final Backends backends;

    DesktopBackend(ResourceProfile profile, Allocations allocations, WorkerCleanup cleanup, AllocatorApi allocator,
            ResourceSetup setup, ServiceProbe probe, Backends backends) {
        super(profile, allocations, cleanup, allocator);
        this.setup = setup;
        this.probe = probe;
        this.backends = backends;
    }

    @Override
    Uni<Void> prepare(String workerId, JsonNode resource, ObjectNode config) {
        ObjectNode initConfigs = JsonNodeFactory.instance.objectNode();
        JsonNode commands = config.path("init_commands");
        ObjectNode init = initConfigs.putObject(resource.path("type").asText());
        if (commands.isArray() && !commands.isEmpty()) {
            init.set("commands", commands);
        }
        // an OSWorld task's config list, run after the init commands (ResourceSetup)
        if (config.has("task_config")) {
            init.set("config", config.get("task_config"));
        }
        return setup.setUp(workerId, Map.of(resource.path("type").asText(), resource), initConfigs, ProgressSink.NONE)
                .invoke(answer -> {
                    if (!"success".equals(answer.path("status").asText())) {
                        throw new ToolFailure(502, ErrorCode.SETUP_FAILED, "desktop " + resource.path("id").asText()
                                + " could not be set up", Map.of("details", answer.path("details")));
                    }
                })
                .replaceWithVoid();
    }

    @Override
    public Uni<JsonNode> warmup() {
        return probe.ready("vm-controller", backends.vmController())
                .chain(ready -> poolStatus().map(status -> (JsonNode) status.put("vm_controller", ready)));
    }
}

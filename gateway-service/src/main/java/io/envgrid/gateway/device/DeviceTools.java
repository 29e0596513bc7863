package io.envgrid.gateway.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.DeviceAgentApi;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.Tool;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSource;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Seed 004's device tools for the devices a worker leased ({@code device_android}, {@code device_linux},
 * …): each call goes to the agent that owns the device ({@code agent_url} of the lease) with the
 * lease's {@code device_id} filled in, so a worker reaches only devices it holds. The routing is
 * the same for every tool; only the name, description and extra parameters differ. Managing
 * records and borrowing stay with the agent's own API: a leased device is not borrowed.
 */
@ApplicationScoped
public class DeviceTools implements ToolSource {

    private record Routed(String name, String description, boolean idempotent, UnaryOperator<Schema> parameters) {
    }

    private static final List<Routed> ROUTED = List.of(
            new Routed("device.execute", "Run a shell command on the leased device (30 s limit)", false,
                    s -> s.string("command", "The command line", true)),
            new Routed("device.upload", "Copy a file from the device's files/ directory on its agent onto the device; "
                    + "install=true installs an application package", false,
                    s -> s.string("local_path", "Path under the device's files/ directory on the agent", true)
                            .string("remote_path", "Path on the device", true)
                            .bool("install", "Install the file as an application package", false)),
            new Routed("device.download", "Copy a file from the device into its files/ directory on the agent", false,
                    s -> s.string("remote_path", "Path on the device", true)
                            .string("local_path", "Path under the device's files/ directory on the agent", true)),
            new Routed("device.status", "The leased device's status", true, s -> s),
            new Routed("device.info", "The leased device's full record", true, s -> s),
            new Routed("device.connect", "Connect to the leased device", false, s -> s),
            new Routed("device.disconnect", "Disconnect from the leased device", false, s -> s));

    private final DeviceAgentApi agents;
    private final WorkerResources resources;

    public DeviceTools(DeviceAgentApi agents, WorkerResources resources) {
        this.agents = agents;
        this.resources = resources;
    }

    @Override
    public List<Tool> tools() {
        return ROUTED.stream().map(this::tool).toList();
    }

    private Tool tool(Routed routed) {
        ToolSpec spec = new ToolSpec(routed.name(), routed.description() + ". Acts on the worker's leased device "
                + "(resource_id names one when it holds several).",
                routed.parameters().apply(Schema.object().workerId()
                        .string("resource_id", "The leased device, when the worker holds several", false)).build(),
                false, true);
        return new BaseTool(spec) {
            @Override
            public Uni<ToolResult> call(ToolCall call) {
                return route(routed, call);
            }
        };
    }

    private Uni<ToolResult> route(Routed routed, ToolCall call) {
        String resourceId = call.args().optionalString("resource_id");
        return resources.pick(call.workerId(), resourceId, "device", t -> t.startsWith("device_")).chain(device -> {
            String agentUrl = device.path("agent_url").asText("");
            String deviceId = device.path("device_id").asText("");
            if (agentUrl.isEmpty() || deviceId.isEmpty()) {
                throw new ToolFailure(502, ErrorCode.BACKEND_ERROR, "the lease of '" + device.path("id").asText()
                        + "' names no agent_url/device_id", Map.of());
            }
            ObjectNode arguments = call.arguments().deepCopy();
            arguments.remove(List.of("worker_id", "resource_id"));
            arguments.put("device_id", deviceId);
            return agents.call(agentUrl, routed.name(), arguments, device, routed.idempotent());
        }).map(ToolResult::of);
    }
}

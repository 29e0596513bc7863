package io.envgrid.gateway.desktop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.VmControllerApi;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Seed 000's {@code get_batch_initial_observations}: screenshot and accessibility tree of every desktop the worker holds. */
@Singleton
public class InitialObservationsTool extends BaseTool {

    private static final ToolSpec SPEC = new ToolSpec("get_batch_initial_observations",
            "Observe every desktop the worker holds: {type: {screenshot (base64 PNG), accessibility_tree, screen_size, "
                    + "cursor, message}}. A desktop that cannot be observed gets {error} instead.",
            Schema.object().workerId().build(), true, true);

    private final VmControllerApi vmController;
    private final WorkerResources resources;

    public InitialObservationsTool(VmControllerApi vmController, WorkerResources resources) {
        super(SPEC);
        this.vmController = vmController;
        this.resources = resources;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        return resources.all(call.workerId()).chain(held -> {
            List<String> keys = new ArrayList<>();
            List<Uni<JsonNode>> observations = new ArrayList<>();
            held.forEach((key, entry) -> {
                if (VmTypes.isVm(entry.path("type").asText())) {
                    keys.add(key);
                    observations.add(observe(call.workerId(), entry));
                }
            });
            if (keys.isEmpty()) {
                return Uni.createFrom().failure(new ToolFailure(404, ErrorCode.NO_SUCH_RESOURCE,
                        "worker '" + call.workerId() + "' holds no desktop to observe", Map.of()));
            }
            return Uni.join().all(observations).andFailFast().map(list -> {
                ObjectNode answer = JsonNodeFactory.instance.objectNode();
                for (int i = 0; i < keys.size(); i++) {
                    answer.set(keys.get(i), list.get(i));
                }
                return ToolResult.of(answer);
            });
        });
    }

    private Uni<JsonNode> observe(String workerId, JsonNode entry) {
        return vmController.observation(workerId, entry)
                .map(o -> (JsonNode) ((ObjectNode) o).put("message", "Observation fetched from the vm-controller"))
                .onFailure(ToolFailure.class).recoverWithItem(e -> {
                    ObjectNode failed = JsonNodeFactory.instance.objectNode();
                    failed.putPOJO("error", ((ToolFailure) e).envelope().error());
                    return failed;
                });
    }
}

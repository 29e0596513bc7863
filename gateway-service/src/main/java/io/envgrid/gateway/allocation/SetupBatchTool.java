package io.envgrid.gateway.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Seed 000's {@code setup_batch_resources}: opens a controller session for every desktop the
 * worker was granted and runs its init config; each resource gets its own result, so one broken
 * VM does not hide that the others are ready.
 */
@Singleton
public class SetupBatchTool extends BaseTool {

    private static final ToolSpec SPEC = new ToolSpec("setup_batch_resources",
            "Prepare allocated resources for use: opens a controller session per desktop VM and runs its init "
                    + "config (resource_init_configs: {type: {\"commands\": [[\"cmd\", \"arg\"], ...]}}). "
                    + "allocated_resources is the allocation answer (default: everything the worker was granted "
                    + "through this gateway). Answers {status: success|partial|failed, details: {type: {success, message}}}.",
            Schema.object().workerId()
                    .freeObject("allocated_resources", "The answer of allocate_batch_resources / allocate_single_resource", false)
                    .freeObject("resource_init_configs", "Init config per resource type", false)
                    .build(),
            true, true);

    private final ResourceSetup setup;
    private final WorkerResources resources;

    public SetupBatchTool(ResourceSetup setup, WorkerResources resources) {
        super(SPEC);
        this.setup = setup;
        this.resources = resources;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        ObjectNode given = call.args().optionalObject("allocated_resources");
        ObjectNode configs = call.args().optionalObject("resource_init_configs");
        ObjectNode initConfigs = configs == null ? JsonNodeFactory.instance.objectNode() : configs;
        Uni<Map<String, JsonNode>> entries = given == null ? resources.all(call.workerId()) : Uni.createFrom().item(asMap(given));
        return entries.chain(e -> {
            if (e.isEmpty()) {
                throw ToolFailure.invalid("nothing to set up: worker '" + call.workerId() + "' holds no resources");
            }
            return setup.setUp(call.workerId(), e, initConfigs, call.progress());
        }).map(ToolResult::of);
    }

    private static Map<String, JsonNode> asMap(ObjectNode given) {
        Map<String, JsonNode> entries = new java.util.LinkedHashMap<>();
        given.fields().forEachRemaining(f -> {
            if (!f.getValue().isObject() || !f.getValue().hasNonNull("id")) {
                throw ToolFailure.invalid("allocated_resources." + f.getKey() + " must be an allocation entry with an id");
            }
            entries.put(f.getKey(), f.getValue());
        });
        return entries;
    }
}

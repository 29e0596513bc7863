package io.envgrid.gateway.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.lease.WorkerCleanup;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/**
 * Seed 000's {@code release_batch_resources}: releases at the allocator (a foreign lease refuses
 * the whole batch there), then ends the controller sessions of what was released.
 */
@Singleton
public class ReleaseBatchTool extends BaseTool {

    private static final ToolSpec SPEC = new ToolSpec("release_batch_resources",
            "Release resources the worker holds and end their controller sessions. Without resource_ids, releases "
                    + "everything the worker holds. Answers {status: \"completed\", details: {id: \"released\" | "
                    + "\"already_released\" | \"not_found\"}}.",
            Schema.object().workerId()
                    .stringList("resource_ids", "Ids of the resources to release (default: all of the worker's)", false, 64)
                    .build(),
            true, true);

    private final WorkerCleanup cleanup;

    public ReleaseBatchTool(WorkerCleanup cleanup) {
        super(SPEC);
        this.cleanup = cleanup;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        JsonNode ids = call.args().raw("resource_ids");
        Uni<JsonNode> released = ids == null || ids.isNull()
                ? cleanup.releaseAll(call.workerId())
                : cleanup.release(call.workerId(), call.args().strings("resource_ids", 64));
        return released.map(ToolResult::of);
    }
}

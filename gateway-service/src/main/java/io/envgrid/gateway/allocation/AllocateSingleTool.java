package io.envgrid.gateway.allocation;

import io.envgrid.gateway.tool.Args;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.List;

/** Seed 000's {@code allocate_single_resource}: the batch allocation with a one-element list. */
@Singleton
public class AllocateSingleTool extends BaseTool {

    private static final ToolSpec SPEC = new ToolSpec("allocate_single_resource",
            "Allocate one resource of a type (e.g. \"vm_pyautogui\"). Returns {type: {id, ip, port, token, lease_id, "
                    + "fencing_token, expires_at, ...}}, the same shape as allocate_batch_resources.",
            Schema.object().workerId()
                    .string("resource_type", "The resource type to allocate", true)
                    .integer("timeout", "Lease length in seconds (default 600)", false, 1, AllocateBatchTool.MAX_LEASE_SECONDS)
                    .integer("wait_ms", "How long to wait for a busy pool (default 0)", false, 0, AllocateBatchTool.MAX_WAIT_MS)
                    .build(),
            true, true);

    private final Allocations allocations;

    public AllocateSingleTool(Allocations allocations) {
        super(SPEC);
        this.allocations = allocations;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        Args args = call.args();
        return allocations.allocate(call.workerId(), List.of(args.string("resource_type")),
                (int) args.integer("timeout", 600, 1, AllocateBatchTool.MAX_LEASE_SECONDS),
                args.integer("wait_ms", 0, 0, AllocateBatchTool.MAX_WAIT_MS), call.progress()).map(ToolResult::of);
    }
}

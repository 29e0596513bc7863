package io.envgrid.gateway.allocation;

import io.envgrid.gateway.tool.Args;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/** Seed 000's {@code allocate_batch_resources}: all of the types or none, in one allocator call. */
@Singleton
public class AllocateBatchTool extends BaseTool {

    static final long MAX_WAIT_MS = 600_000;
    static final int MAX_LEASE_SECONDS = 86_400;

    private static final ToolSpec SPEC = new ToolSpec("allocate_batch_resources",
            "Allocate several resources at once, all or nothing (e.g. [\"vm_pyautogui\", \"rag\"]). Returns one entry "
                    + "per type with its endpoint (ip/port/token or base_url), lease_id, fencing_token and expires_at; "
                    + "a type asked for twice gets keys type and type#2. With wait_ms the request queues until the "
                    + "resources are free or the wait ends.",
            Schema.object().workerId()
                    .stringList("resource_types", "Resource types to allocate together", true, 64)
                    .integer("timeout", "Lease length in seconds (default 600)", false, 1, MAX_LEASE_SECONDS)
                    .integer("wait_ms", "How long to wait for busy resources (default 0: answer at once)", false, 0, MAX_WAIT_MS)
                    .build(),
            true, true);

    private final Allocations allocations;

    public AllocateBatchTool(Allocations allocations) {
        super(SPEC);
        this.allocations = allocations;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        Args args = call.args();
        return allocations.allocate(call.workerId(), args.strings("resource_types", 64),
                (int) args.integer("timeout", 600, 1, MAX_LEASE_SECONDS), args.integer("wait_ms", 0, 0, MAX_WAIT_MS),
                call.progress()).map(ToolResult::of);
    }
}

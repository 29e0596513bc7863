package io.envgrid.gateway.allocation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.tool.ToolScope;
import io.envgrid.gateway.tool.ToolAnnotations;
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

    /** An allocation answer: one entry per allocation key ({@code vm_pyautogui}, {@code rag#2}). */
    static final ObjectNode GRANT = grant();

    private static ObjectNode grant() {
        ObjectNode schema = Schema.output().build();
        schema.set("additionalProperties", Schema.output().typed("id", "The resource id", true, "string")
                .typed("lease_token", "The lease's credential", false, "string")
                .typed("fencing_token", "The lease's fencing token", false, "integer").build());
        return schema;
    }

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
            GRANT, ToolAnnotations.ADDITIVE, ToolScope.WORKER, true, null);

    private final Allocations allocations;

    public AllocateBatchTool(Allocations allocations) {
        super(SPEC);
        this.allocations = allocations;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        Args args = call.args();
        return allocations.allocate(call.workerId(), args.strings("resource_types"),
                (int) args.integer("timeout", 600), args.integer("wait_ms", 0),
                call.progress()).map(ToolResult::of);
    }
}

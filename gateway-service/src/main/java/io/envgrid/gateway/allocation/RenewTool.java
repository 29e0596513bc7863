package io.envgrid.gateway.allocation;

import io.envgrid.gateway.tool.ToolScope;
import io.envgrid.gateway.tool.ToolAnnotations;
import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * {@code renew_resources}: extends the worker's leases (the gateway also does this itself while the session lives).
 * The worker's record takes the new terms, and a session subscribed to {@code envgrid://worker/leases} is told of any
 * change, an extension included: the caller asked for it, so it is no routine tick (README, "Server features").
 */
@Singleton
public class RenewTool extends BaseTool {

    private static final ToolSpec SPEC = new ToolSpec("renew_resources",
            "Extend the worker's leases to timeout seconds from now (all of them without resource_ids). Answers per id "
                    + "renewed (with expires_at and fencing_token) or not_held.",
            Schema.object().workerId()
                    .stringList("resource_ids", "Ids to renew (default: all the worker holds)", false, 64)
                    .integer("timeout", "New lease length in seconds (default 600)", false, 1, AllocateBatchTool.MAX_LEASE_SECONDS)
                    .build(),
            Schema.output().build(), ToolAnnotations.ADDITIVE_IDEMPOTENT, ToolScope.WORKER, true, null);

    private final AllocatorApi allocator;
    private final WorkerResources resources;

    public RenewTool(AllocatorApi allocator, WorkerResources resources) {
        super(SPEC);
        this.allocator = allocator;
        this.resources = resources;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        List<String> resourceIds = call.args().strings("resource_ids");
        int timeout = (int) call.args().integer("timeout", 600);
        String worker = call.workerId();
        // any change is told (an extension included: the caller asked for it); the subscribers' look-up rides on the
        // record's write, one Redis exchange for both
        return allocator.renew(worker, resourceIds, timeout)
                .call(renewed -> resources.renewedAndTold(worker, renewed))
                .map(ToolResult::of);
    }
}

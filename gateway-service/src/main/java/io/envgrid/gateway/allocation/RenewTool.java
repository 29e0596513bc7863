package io.envgrid.gateway.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.List;

/** {@code renew_resources}: extends the worker's leases (the gateway also does this itself while the session lives). */
@Singleton
public class RenewTool extends BaseTool {

    private static final ToolSpec SPEC = new ToolSpec("renew_resources",
            "Extend the worker's leases to timeout seconds from now (all of them without resource_ids). Answers per id "
                    + "renewed (with expires_at and fencing_token) or not_held.",
            Schema.object().workerId()
                    .stringList("resource_ids", "Ids to renew (default: all the worker holds)", false, 64)
                    .integer("timeout", "New lease length in seconds (default 600)", false, 1, AllocateBatchTool.MAX_LEASE_SECONDS)
                    .build(),
            true, true);

    private final AllocatorApi allocator;

    public RenewTool(AllocatorApi allocator) {
        super(SPEC);
        this.allocator = allocator;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        JsonNode ids = call.args().raw("resource_ids");
        List<String> resourceIds = ids == null || ids.isNull() ? null : call.args().strings("resource_ids", 64);
        int timeout = (int) call.args().integer("timeout", 600, 1, AllocateBatchTool.MAX_LEASE_SECONDS);
        return allocator.renew(call.workerId(), resourceIds, timeout).map(ToolResult::of);
    }
}

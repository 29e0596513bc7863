package io.envgrid.gateway.tool;

import io.smallrye.mutiny.Uni;

/** One tool the gateway offers, over MCP and the Sandbox API alike. */
public interface Tool {

    ToolSpec spec();

    /** Runs the call; a failure the caller should see is a {@link io.envgrid.gateway.error.ToolFailure}. */
    Uni<ToolResult> call(ToolCall call);
}

package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;

/** One tool the gateway offers, over MCP and the Sandbox API alike. */
public interface Tool {

    ToolSpec spec();

    /** Runs the call; a failure the caller should see is a {@link io.envgrid.gateway.error.ToolFailure}. */
    Uni<ToolResult> call(ToolCall call);

    /**
     * What the input schema cannot say about {@code arguments} (key names of the shared key table, a
     * {@code computer} action's own rules), checked by {@link ToolRegistry#prepare} after the schema, before
     * anything of the request runs on either front end; refuses with 400 {@code INVALID_PARAMETERS} naming the
     * argument ({@link io.envgrid.gateway.error.ToolFailure#invalidArgument}). Must not change {@code arguments}.
     */
    default void checkBeyondSchema(ObjectNode arguments) {
        // most tools' schemas say everything
    }
}

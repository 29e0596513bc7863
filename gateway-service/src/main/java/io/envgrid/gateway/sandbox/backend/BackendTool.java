package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;

/** A tool of a backend, named without its resource-type prefix ({@code screenshot} of {@code vm:screenshot}). */
public record BackendTool(String name, String description, ObjectNode inputSchema, Handler handler) {

    /** Runs the tool with the worker's session (for stateful backends) and the call's parameters. */
    @FunctionalInterface
    public interface Handler {
        Uni<JsonNode> run(SessionContext session, ObjectNode params);
    }
}

package io.envgrid.gateway.tool;

/**
 * What a tool call runs against. {@link None}: nothing of the caller's (a worker id is used when
 * given, e.g. to find the worker's own rag lease). {@link Worker}: a worker's account at the
 * allocator (the id is required, from the arguments, the MCP session's binding or the Sandbox
 * request). {@link Session}: one resource of the named backend kind that the worker holds
 * ({@code desktop}, {@code device}); on the Sandbox API the worker's session of that backend
 * provides it (its id is passed as {@code resource_id}).
 */
public sealed interface ToolScope {

    ToolScope NONE = new None();
    ToolScope WORKER = new Worker();

    static ToolScope session(String backendKind) {
        return new Session(backendKind);
    }

    /** Whether a call must act for a known worker. */
    default boolean needsWorker() {
        return !(this instanceof None);
    }

    /** Needs no worker. */
    record None() implements ToolScope {
    }

    /** Acts for a worker. */
    record Worker() implements ToolScope {
    }

    /** Acts on one resource of {@code backendKind} the worker holds. */
    record Session(String backendKind) implements ToolScope {
    }
}

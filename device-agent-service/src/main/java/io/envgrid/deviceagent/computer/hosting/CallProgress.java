package io.envgrid.deviceagent.computer.hosting;

/**
 * Where a running tool call's MCP {@code notifications/progress} go ({@code progress}, {@code total} when the server
 * knows it, {@code message} when it gave one); called on the MCP client's threads, may be called after the call ended.
 */
@FunctionalInterface
public interface CallProgress {

    /** The caller did not ask for progress: the server is not sent a progress token. */
    CallProgress NONE = (progress, total, message) -> {
    };

    void report(double progress, Double total, String message);
}

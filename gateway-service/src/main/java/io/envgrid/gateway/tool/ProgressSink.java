package io.envgrid.gateway.tool;

/** Where a long tool call reports how far it got (MCP {@code notifications/progress}); may drop reports. */
@FunctionalInterface
public interface ProgressSink {

    ProgressSink NONE = (progress, total, message) -> {
    };

    void report(double progress, Double total, String message);
}

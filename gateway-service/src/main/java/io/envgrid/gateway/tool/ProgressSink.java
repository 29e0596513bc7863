package io.envgrid.gateway.tool;

/** Where a long tool call reports how far it got (MCP {@code notifications/progress}); may drop reports. */
@FunctionalInterface
public interface ProgressSink {

    /** Nobody asked for progress. */
    ProgressSink NONE = new ProgressSink() {
        @Override
        public void report(double progress, Double total, String message) {
        }

        @Override
        public boolean wanted() {
            return false;
        }
    };

    void report(double progress, Double total, String message);

    /**
     * False when reports would be dropped anyway (the caller gave no progress token, or cannot receive them), so
     * whoever would have to ask another party for progress need not.
     */
    default boolean wanted() {
        return true;
    }
}

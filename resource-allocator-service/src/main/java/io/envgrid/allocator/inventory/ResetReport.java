package io.envgrid.allocator.inventory;

/**
 * An owner's report of the reset that followed the end of the lease with {@code fencingToken}.
 * {@code reason} is recorded on the resource when the reset failed ({@code ""} otherwise).
 */
public record ResetReport(long fencingToken, Outcome outcome, String reason) {

    /** How a reset ended: the resource goes free, or down. */
    public enum Outcome {
        DONE, FAILED;

        /** The word on the wire and in the audit stream. */
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}

package io.envgrid.deviceagent.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits on a condition instead of sleeping a fixed time. */
public final class Conditions {

    private Conditions() {
    }

    public static void await(BooleanSupplier condition, String what) {
        await(condition, what, Duration.ofSeconds(10));
    }

    /** Waits up to {@code limit} (for what starts a process on a loaded machine, e.g. a Node MCP server). */
    public static void await(BooleanSupplier condition, String what, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }
}

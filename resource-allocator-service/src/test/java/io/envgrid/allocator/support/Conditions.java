package io.envgrid.allocator.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits on a condition instead of sleeping a fixed time. */
public final class Conditions {

    private Conditions() {
    }

    public static void await(BooleanSupplier condition, String what) {
        await(condition, what, Duration.ofSeconds(10));
    }

    public static void await(BooleanSupplier condition, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }
}

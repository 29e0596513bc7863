package io.envgrid.testsupport;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting on a condition with a deadline instead of sleeping a guessed time. */
public final class Conditions {

    private Conditions() {
    }

    /**
     * Polls {@code condition} every 20 ms until it holds; a {@link RuntimeException} from it counts as "not yet" (a
     * server still starting refuses connections).
     *
     * @throws AssertionError naming {@code what} when {@code timeout} has passed, or when interrupted
     */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(20); // the polling interval, not a wait for something to happen
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    private static boolean holds(BooleanSupplier condition) {
        try {
            return condition.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }
}

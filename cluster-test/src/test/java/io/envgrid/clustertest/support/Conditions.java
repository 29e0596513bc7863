package io.envgrid.clustertest.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting on a condition with a deadline, instead of sleeping a guessed time. */
public final class Conditions {

    private Conditions() {
    }

    /**
     * Polls {@code condition} every 50 ms until it holds; returns the time it took. A condition that throws counts
     * as not yet (a service being restarted refuses connections).
     *
     * @throws AssertionError when {@code timeout} passes first
     */
    public static Duration await(String what, Duration timeout, BooleanSupplier condition) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            pause(Duration.ofMillis(50));
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static boolean holds(BooleanSupplier condition) {
        try {
            return condition.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Sleeps between polls only; never used to wait for something to happen. */
    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.envgrid.vmcontroller.support;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits on a condition instead of sleeping a fixed time. */
public final class Conditions {

    private Conditions() {
    }

    public static void await(BooleanSupplier condition, String what) {
        await(condition, what, Duration.ofSeconds(10));
    }

    /** As {@link #await(BooleanSupplier, String)}, for conditions that may take longer than 10 s (a replica's sync). */
    public static void await(BooleanSupplier condition, String what, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            pause(Duration.ofMillis(20));
        }
    }

    /** The gap between two looks at a condition (a poll interval, not a wait for something to happen). */
    public static void pause(Duration gap) {
        LockSupport.parkNanos(gap.toNanos());
    }
}

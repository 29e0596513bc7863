package io.envgrid.testsupport.wait;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting on a condition by polling it, for the test harness's own processes (servers starting, replicas syncing). */
public final class Poll {

    /** Between two looks at a condition: short, as the conditions are cheap local calls. */
    private static final Duration INTERVAL = Duration.ofMillis(20);

    private Poll() {
    }

    /**
     * Returns once {@code condition} holds; a {@link RuntimeException} from it counts as "not yet" (a server still
     * starting refuses connections), an {@link AssertionError} from it ends the wait at once (a process that exited).
     *
     * @param what what is awaited, for the error
     * @throws AssertionError when {@code timeout} passes first, or the thread is interrupted
     */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(INTERVAL.toMillis()); // the polling interval, not a wait for something to happen
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

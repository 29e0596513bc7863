package io.envgrid.deploycheck.image;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition (a process answering HTTP has no event to wait on) until it holds or time runs out. */
final class Await {

    private static final long POLL_NANOS = Duration.ofMillis(100).toNanos();

    private Await() {
    }

    /**
     * @throws IllegalStateException naming {@code what} when the condition does not hold within the timeout
     */
    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not happen within " + timeout);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}

package io.envgrid.deviceagent.osworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The recheck of a running call's lease, without a desktop or an allocator: the check is a function the test controls,
 * the call a thread that waits until it is interrupted (as a command's wait is). Whatever the check throws, the watch
 * goes on checking and fails closed.
 */
class LeaseRecheckTest {

    private static final Duration UNCONFIRMED_LIMIT = Duration.ofMillis(200);

    private final LeaseRecheck recheck = new LeaseRecheck(Duration.ofMillis(20), UNCONFIRMED_LIMIT,
            new SimpleMeterRegistry());
    private final DesktopGate gate = new DesktopGate();

    @AfterEach
    void stop() {
        recheck.stop();
    }

    @Test
    void aCallIsCutOffAtTheFirstCheckThatFindsItsLeaseOver() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        DesktopException refusal = call(() -> {
            if (checks.incrementAndGet() >= 3) {
                throw new ApiException(409, ErrorCode.LEASE_NOT_LIVE, "released", Map.of());
            }
        });
        assertEquals(409, refusal.status());
        assertEquals(3, checks.get(), "checks until the lease was found over");
    }

    /**
     * A check that fails with something other than the allocator's answer (a bug, a fault-tolerance exception not
     * mapped) is an unconfirmed lease: the call is cut off once the unconfirmed limit passes. Before, the exception
     * ended the watch's schedule at its first tick and the call ran on, never checked again (fail open).
     */
    @Test
    void aCheckThatThrowsSomethingElseFailsClosed() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        long start = System.nanoTime();
        DesktopException refusal = call(() -> {
            checks.incrementAndGet();
            throw new IllegalStateException("not an answer");
        });
        assertEquals(503, refusal.status());
        assertEquals(ErrorCode.ALLOCATOR_UNAVAILABLE, refusal.code());
        assertFalse(System.nanoTime() - start < UNCONFIRMED_LIMIT.toNanos(), "cut off before the unconfirmed limit");
        assertFalse(checks.get() < 2, "checked again after the first failure: " + checks.get());
    }

    /** A call admitted and watched with {@code check}, waiting until it is cut off: the refusal it answers with. */
    private DesktopException call(Runnable check) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try (DesktopGate.Admission admission = gate.admit("0", gate.generation());
                    LeaseRecheck.Watch watch = recheck.watch(admission, check)) {
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(30));
                    throw new AssertionError("the call ran 30 s without being cut off");
                } catch (InterruptedException cut) {
                    if (!admission.fenced()) {
                        throw new AssertionError("interrupted without being fenced", cut);
                    }
                    return admission.refusal();
                }
            }
        }).get(20, TimeUnit.SECONDS);
    }
}

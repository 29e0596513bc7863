package io.envgrid.deviceagent.osworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fence between a desktop's calls and its reset, without a desktop: admissions, closing, waiting, interrupts. */
class DesktopGateTest {

    private final DesktopGate gate = new DesktopGate();
    private final ExecutorService calls = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        calls.shutdownNow();
    }

    @Test
    void aCallCheckedBeforeAResetBeganIsRefusedAndNoneIsAdmittedWhileItRuns() {
        long checkedAt = gate.generation();
        gate.close();
        DesktopException stale = assertThrows(DesktopException.class, () -> gate.admit("0", checkedAt));
        assertEquals(409, stale.status());
        assertEquals("LEASE_NOT_LIVE", stale.code());
        // checked during the reset (a service token): not admitted until the reset has ended
        DesktopException resetting = assertThrows(DesktopException.class, () -> gate.admit("0", gate.generation()));
        assertEquals(503, resetting.status());
        gate.open();
        try (DesktopGate.Admission admitted = gate.admit("0", gate.generation())) {
            assertFalse(admitted.fenced());
        }
        assertThrows(DesktopException.class, () -> gate.admit("0", checkedAt), "a reset ended: still refused");
    }

    /**
     * A failed preparation (the device agent's {@code UidReset.prepare}) rewords the closed gate without a new
     * generation: a call checked while the desktop was being prepared is told 503 with the new words, as nothing was
     * reset under it (was: the gate was closed again, a new generation, and that call was told 409 LEASE_NOT_LIVE).
     */
    @Test
    void rewordingAClosedGateKeepsItsGenerationAndAnOpenOneOpen() {
        gate.close("is being prepared");
        long checkedAt = gate.generation();
        gate.reword("could not be prepared");
        assertEquals(checkedAt, gate.generation());
        DesktopException refused = assertThrows(DesktopException.class, () -> gate.admit("0", checkedAt));
        assertEquals(503, refused.status());
        assertEquals("DESKTOP_UNAVAILABLE", refused.code());
        assertTrue(refused.getMessage().endsWith("could not be prepared"), refused.getMessage());
        gate.open();
        gate.reword("could not be prepared");
        gate.admit("0", checkedAt).close();
    }

    @Test
    void aResetInterruptsTheAdmittedCallsAndWaitsUntilTheyHaveLeft() throws Exception {
        CountDownLatch admitted = new CountDownLatch(1);
        Future<Boolean> sleeper = calls.submit(() -> {
            try (DesktopGate.Admission admission = gate.admit("0", gate.generation())) {
                admitted.countDown();
                try {
                    Thread.sleep(Duration.ofMinutes(5).toMillis());
                    return false;
                } catch (InterruptedException e) {
                    return admission.fenced();
                }
            }
        });
        assertTrue(admitted.await(10, TimeUnit.SECONDS));
        long started = System.nanoTime();
        gate.close();
        assertTrue(gate.awaitNoCalls(Duration.ofSeconds(30), () -> { }), "the sleeping call left");
        assertTrue(sleeper.get(10, TimeUnit.SECONDS), "the call saw itself fenced");
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(30)) < 0);
    }

    @Test
    void theWaitNudgesUntilACallThatIgnoresInterruptsLeavesAndGivesUpAtItsLimit() throws Exception {
        CountDownLatch admitted = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        calls.submit(() -> {
            try (DesktopGate.Admission admission = gate.admit("0", gate.generation())) {
                admitted.countDown();
                // stands for a process of the worker's: only the nudge (the reset's kill) ends it
                while (!release.isDone()) {
                    Thread.onSpinWait();
                }
            }
            return null;
        });
        assertTrue(admitted.await(10, TimeUnit.SECONDS));
        gate.close();
        assertFalse(gate.awaitNoCalls(Duration.ofMillis(300), () -> { }), "a call that does not leave is reported");
        AtomicInteger nudges = new AtomicInteger();
        assertTrue(gate.awaitNoCalls(Duration.ofSeconds(30), () -> {
            if (nudges.incrementAndGet() == 3) {
                release.complete(null);
            }
        }));
        assertTrue(nudges.get() >= 3, "nudged until it left: " + nudges.get());
    }

    @Test
    void aWorkerThreadLeavesWithoutAnInterruptPending() throws Exception {
        CountDownLatch admitted = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Future<Boolean> afterwards = calls.submit(() -> {
            try (DesktopGate.Admission admission = gate.admit("0", gate.generation())) {
                admitted.countDown();
                try {
                    closed.await(10, TimeUnit.SECONDS); // interrupted by the reset, or released by the test
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // as a call that keeps the flag (HostProcesses does) would
                }
            }
            // after the admission closed: the interrupt meant for the cut-off call must not hit the next one
            return Thread.currentThread().isInterrupted();
        });
        assertTrue(admitted.await(10, TimeUnit.SECONDS));
        gate.close();
        closed.countDown();
        assertTrue(gate.awaitNoCalls(Duration.ofSeconds(30), () -> { }));
        assertFalse(afterwards.get(10, TimeUnit.SECONDS), "the thread still carries the reset's interrupt");
    }
}

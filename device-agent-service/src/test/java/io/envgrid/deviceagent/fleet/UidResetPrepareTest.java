package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.osworld.DesktopException;
import io.envgrid.deviceagent.osworld.DesktopGate;
import io.envgrid.deviceagent.process.ProcessOutcome;
import io.envgrid.deviceagent.support.Conditions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link UidReset}'s preparation after the agent's start (as root, on this host's kernel, a network namespace of the
 * test's own): until it has made the namespace, the gate refuses calls with {@code 503} "is being prepared" and the
 * namespace is not there to be entered; a reset that comes first is not undone by the preparation, one that overlaps it
 * comes out clean, and a stop leaves no namespace whichever of the two runs first. The preparation is held back by
 * holding {@link UidReset}'s lock, the one it shares with the resets and the stop.
 */
class UidResetPrepareTest {

    /** A uid of this test alone (no passwd entry), whose processes the reset kills. */
    private static final long UID = 61997;

    private final String prefix = DesktopNetwork.prefixOf("uid-reset-test/" + ProcessHandle.current().pid());
    private final DesktopNetwork network = DesktopNetwork.hostDevice(prefix);
    private final Path namespace = DesktopNetwork.NAMESPACES.resolve(network.name().orElseThrow());
    private final DesktopGate gate = new DesktopGate();
    private final WorkerExec workers = new WorkerExec(UID, Path.of("/"));
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final NamespacedProcesses processes = new NamespacedProcesses();

    @AfterEach
    void cleanUp() {
        threads.shutdownNow();
        processes.close();
        network.remove();
    }

    @Test
    void aCallWhilePrepareRunsIsRefusedAndNoneEntersAMissingNamespace() throws Exception {
        network.remove(); // a former run's, so that "not there yet" means this preparation's
        UidReset reset = uidReset();
        assertRefusedAsBeingPrepared();
        Future<?> preparing;
        synchronized (reset) { // the preparation has begun and is held before it made anything
            preparing = threads.submit(reset::prepare);
            awaitBlockedOn(reset);
            assertRefusedAsBeingPrepared();
            assertFalse(Files.exists(namespace), "the namespace exists before the preparation made it");
        }
        preparing.get(30, TimeUnit.SECONDS);
        try (DesktopGate.Admission admitted = gate.admit("attached", gate.generation())) {
            assertFalse(admitted.fenced());
            ProcessOutcome links = NamespacedProcesses.run(network, List.of("ip", "-o", "link"));
            assertTrue(links.succeeded(), "a call after the preparation enters its namespace: " + links.stderr());
            assertEquals(1, links.stdoutText().strip().lines().count(), "only lo: " + links.stdoutText());
        }
    }

    @Test
    void aResetBeforeThePreparationIsNotUndoneByItAndOneOverlappingItComesOutClean() throws Exception {
        UidReset reset = uidReset();
        assertInstanceOf(ResetOutcome.Done.class, reset.reset());
        // the next holder's program, in the reset's namespace
        Process holders = processes.start(network, List.of("sleep", "300"));
        Object made = Files.getAttribute(namespace, "unix:ino");
        Conditions.await(() -> NamespacedProcesses.namespaceOf(holders.pid()).equals("net:[" + made + "]"),
                "the program in the namespace");

        reset.prepare(); // late: the reset made everything already

        assertEquals(made, Files.getAttribute(namespace, "unix:ino"), "the preparation made the namespace anew");
        assertTrue(holders.isAlive(), "the preparation killed what ran in the reset's namespace");
        gate.admit("attached", gate.generation()).close();

        UidReset overlapped = uidReset();
        CompletableFuture<ResetOutcome> outcome;
        Future<?> preparing;
        synchronized (overlapped) {
            preparing = threads.submit(overlapped::prepare);
            awaitBlockedOn(overlapped);
            outcome = CompletableFuture.supplyAsync(overlapped::reset, threads);
        }
        preparing.get(30, TimeUnit.SECONDS);
        assertInstanceOf(ResetOutcome.Done.class, outcome.get(30, TimeUnit.SECONDS));
        assertTrue(Files.exists(namespace));
        gate.admit("attached", gate.generation()).close();
    }

    @Test
    void aStopBeforeOrDuringThePreparationLeavesNothing() throws Exception {
        UidReset stoppedFirst = uidReset();
        stoppedFirst.stop();
        stoppedFirst.prepare();
        assertFalse(Files.exists(namespace), "a preparation after the stop made the namespace");
        assertThrows(DesktopException.class, () -> gate.admit("attached", gate.generation()));

        UidReset overlapped = uidReset();
        Future<?> preparing;
        Future<?> stopping;
        synchronized (overlapped) {
            preparing = threads.submit(overlapped::prepare);
            awaitBlockedOn(overlapped);
            stopping = threads.submit(overlapped::stop);
        }
        preparing.get(30, TimeUnit.SECONDS);
        stopping.get(30, TimeUnit.SECONDS);
        assertFalse(Files.exists(namespace), "the stop left the namespace behind");
    }

    private UidReset uidReset() {
        return new UidReset("the test's uid " + UID, gate, new DesktopProcesses(UID, workers, Optional::empty,
                Optional.empty()), network, Optional.empty(), workers, () -> { }, new SharedTemp(workers,
                        SharedTemp.SHARED), new DesktopIpc(workers));
    }

    private void assertRefusedAsBeingPrepared() {
        DesktopException refused = assertThrows(DesktopException.class,
                () -> gate.admit("attached", gate.generation()), "a call was admitted before the preparation");
        assertEquals(503, refused.status());
        assertEquals("DESKTOP_UNAVAILABLE", refused.code());
        assertTrue(refused.getMessage().contains("is being prepared"), refused.getMessage());
    }

    /** Waits until a thread is blocked on {@code lock} (which the test holds): the preparation held back. */
    private static void awaitBlockedOn(Object lock) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Conditions.await(() -> Arrays.stream(mx.getThreadInfo(mx.getAllThreadIds()))
                .anyMatch(info -> info != null && info.getThreadState() == Thread.State.BLOCKED
                        && info.getLockInfo() != null
                        && info.getLockInfo().getIdentityHashCode() == System.identityHashCode(lock)),
                "a thread blocked on the lock", Duration.ofSeconds(10));
    }
}

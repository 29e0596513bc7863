package io.envgrid.testsupport.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link CpuUse#threadsCpuNanos}: the CPU time of this JVM's threads picked by name, read from /proc. */
class CpuUseTest {

    private static final long SELF = ProcessHandle.current().pid();
    /** Where the spinner's sum goes, so that its loop is work the JIT cannot drop. */
    private static volatile long sink;

    @Test
    void countsOnlyTheNamedThreadsCpu() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Thread spinner = new Thread(() -> {
            long x = 0;
            while (!stop.get()) {
                x += System.nanoTime() % 7;
            }
            sink = x;
        }, "cpu-probe-spin");
        spinner.start();
        try {
            // the kernel counts in 10 ms ticks: spin until at least 5 of them are the spinner's
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (CpuUse.threadsCpuNanos(SELF, "cpu-probe-spin") < 50_000_000L && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(CpuUse.threadsCpuNanos(SELF, "cpu-probe-spin") >= 50_000_000L);
            assertEquals(0, CpuUse.threadsCpuNanos(SELF, "no-such-thread-name"));
        } finally {
            stop.set(true);
            spinner.join();
        }
    }

    @Test
    void aProcessThatIsGoneIsMinusOne() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertEquals(-1, CpuUse.threadsCpuNanos(p.pid(), ""));
    }
}

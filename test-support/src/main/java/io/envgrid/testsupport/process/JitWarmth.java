package io.envgrid.testsupport.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Whether a JVM under a benchmark's load has compiled what the load runs: at two checks in a row, at least
 * {@value #CHECK_EVERY_SECONDS} s apart, its C2 compile queue ({@code jcmd <pid> Compiler.queue}) is empty and its C2
 * compiler threads used less than {@value #C2_BUSY_PERCENT} % of the time since the check before
 * ({@link CpuUse#threadsCpuNanos}; the queue alone where there is no /proc). Why: on the project's 2 shared cores single
 * C2 compilations of hot Netty and Jackson methods took 100–360 ms (JFR {@code jdk.Compilation} events of a gateway
 * under load, 2026-12-02), and {@code jcmd Compiler.queue} still listed ~230 queued methods after ~20,000 calls; a
 * figure taken before the compiler is done measures the compiler and half-compiled code. The queue is often empty
 * between two compilations while the compiler is far from done: a gateway at one session, reported settled by the
 * queue alone, spent 5.2 s of C2 thread time in the next 15 s of its measured window, compiling tier-4 code of 20–50 kB
 * per method (2026-12-03, JFR {@code jdk.Compilation} and /proc per-thread times).
 *
 * <p>Usage: keep the load running and call {@link #settled()} between units of it until it or {@link #timedOut()}
 * answers true. Not thread-safe: one caller.
 */
public final class JitWarmth {

    static final long CHECK_EVERY_SECONDS = 2;
    static final long C2_BUSY_PERCENT = 5;
    private static final String C2_THREADS = "C2 CompilerThre";

    private final long pid;
    private final long deadline;
    private final long started = System.nanoTime();
    private final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    private long lastCheck = System.nanoTime();
    private long lastC2Nanos;
    private int emptyInARow;

    private JitWarmth(long pid, Duration atMost) {
        this.pid = pid;
        this.deadline = started + atMost.toNanos();
        this.lastC2Nanos = CpuUse.threadsCpuNanos(pid, C2_THREADS);
    }

    /** Watches JVM {@code pid} for at most {@code atMost} from now. */
    public static JitWarmth of(long pid, Duration atMost) {
        return new JitWarmth(pid, atMost);
    }

    /**
     * True once the compiler was idle (queue empty, C2 threads under {@value #C2_BUSY_PERCENT} % busy) at two checks in
     * a row; checks (runs jcmd, ~0.2 s) only when {@value #CHECK_EVERY_SECONDS} s have passed since the last one, so it
     * may be called after every unit of load.
     */
    public boolean settled() {
        long now = System.nanoTime();
        if (emptyInARow < 2 && now - lastCheck >= TimeUnit.SECONDS.toNanos(CHECK_EVERY_SECONDS)) {
            long c2Nanos = CpuUse.threadsCpuNanos(pid, C2_THREADS);
            boolean c2Quiet = c2Nanos < 0 || lastC2Nanos < 0
                    || (c2Nanos - lastC2Nanos) * 100 < C2_BUSY_PERCENT * (now - lastCheck);
            lastCheck = now;
            lastC2Nanos = c2Nanos;
            emptyInARow = c2Quiet && c2QueueEmpty() ? emptyInARow + 1 : 0;
        }
        return emptyInARow >= 2;
    }

    /** Whether the time given to {@link #of} has passed. */
    public boolean timedOut() {
        return System.nanoTime() >= deadline;
    }

    /** What to print: "JIT settled after N s of load" or "JIT had not settled after N s". */
    public String report() {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        return emptyInARow >= 2 ? "JIT settled after " + seconds + " s of load"
                : "JIT had not settled after " + seconds + " s; measuring anyway";
    }

    /**
     * Whether {@code jcmd <pid> Compiler.queue} lists nothing under "C2 compile queue" (false if it cannot say, or
     * jcmd has not answered within 30 s). Its output goes to a file, so a jcmd that hangs cannot block the read.
     */
    private boolean c2QueueEmpty() {
        Path out = null;
        try {
            out = Files.createTempFile("jit-queue-", ".txt");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Compiler.queue").redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            if (p.exitValue() != 0) {
                return false;
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            int at = text.indexOf("C2 compile queue:");
            return at >= 0 && text.substring(at).lines().skip(1).map(String::strip)
                    .allMatch(l -> l.isEmpty() || l.equals("Empty"));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }
}

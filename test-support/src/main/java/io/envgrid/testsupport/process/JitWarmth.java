package io.envgrid.testsupport.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Whether a JVM under a benchmark's load has compiled what the load runs: its C2 compile queue
 * ({@code jcmd <pid> Compiler.queue}) empty at two checks at least {@value #CHECK_EVERY_SECONDS} s apart. Why: on the
 * project's 2 shared cores C2 takes 100–360 ms per hot method, and a gateway under load still had ~230 methods queued
 * after ~20,000 calls (2026-12-02); a figure taken before the queue drains measures the compiler and half-compiled code.
 *
 * <p>Usage: keep the load running and call {@link #settled()} between units of it until it or {@link #timedOut()}
 * answers true. Not thread-safe: one caller.
 */
public final class JitWarmth {

    static final long CHECK_EVERY_SECONDS = 2;

    private final long pid;
    private final long deadline;
    private final long started = System.nanoTime();
    private final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    private long lastCheck = System.nanoTime();
    private int emptyInARow;

    private JitWarmth(long pid, Duration atMost) {
        this.pid = pid;
        this.deadline = started + atMost.toNanos();
    }

    /** Watches JVM {@code pid} for at most {@code atMost} from now. */
    public static JitWarmth of(long pid, Duration atMost) {
        return new JitWarmth(pid, atMost);
    }

    /**
     * True once the queue was empty at two checks in a row; checks (runs jcmd, ~0.2 s) only when
     * {@value #CHECK_EVERY_SECONDS} s have passed since the last one, so it may be called after every unit of load.
     */
    public boolean settled() {
        if (emptyInARow < 2 && System.nanoTime() - lastCheck >= TimeUnit.SECONDS.toNanos(CHECK_EVERY_SECONDS)) {
            lastCheck = System.nanoTime();
            emptyInARow = c2QueueEmpty() ? emptyInARow + 1 : 0;
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

    /** Whether {@code jcmd <pid> Compiler.queue} lists nothing under "C2 compile queue" (false if it cannot say). */
    private boolean c2QueueEmpty() {
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Compiler.queue").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return false;
            }
            int at = out.indexOf("C2 compile queue:");
            return at >= 0 && out.substring(at).lines().skip(1).map(String::strip)
                    .allMatch(l -> l.isEmpty() || l.equals("Empty"));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

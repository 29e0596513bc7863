package io.envgrid.testsupport.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Whether a JVM under a benchmark's load has compiled what the load runs: its C2 compile queue
 * ({@code jcmd <pid> Compiler.queue}) empty at two checks at least {@value #CHECK_EVERY_SECONDS} s apart. Why: on the
 * project's 2 shared cores single C2 compilations of hot Netty and Jackson methods took 100–360 ms (JFR
 * {@code jdk.Compilation} events of a gateway under load, 2026-12-02), and {@code jcmd Compiler.queue} still listed ~230
 * queued methods after ~20,000 calls; a figure taken before the queue drains measures the compiler and half-compiled
 * code.
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

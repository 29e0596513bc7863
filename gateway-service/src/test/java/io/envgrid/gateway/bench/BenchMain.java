package io.envgrid.gateway.bench;

/**
 * The {@code main} of a benchmark launched by the {@code bench} profile's {@code exec:exec}: runs its body, prints what
 * it threw, and exits 0 when it returned, 1 otherwise. Exiting either way matters: Vert.x threads or the processes a
 * failed run started would keep the JVM alive (those processes are stopped by their shutdown hooks).
 */
public final class BenchMain {

    /** A benchmark's whole run. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private BenchMain() {
    }

    /** Runs {@code body}, then {@link System#exit exits}; never returns. */
    public static void run(Body body) {
        int status = 1;
        try {
            body.run();
            status = 0;
        } catch (Throwable e) {
            e.printStackTrace();
        }
        System.exit(status);
    }
}

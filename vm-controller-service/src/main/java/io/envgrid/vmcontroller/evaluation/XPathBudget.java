package io.envgrid.vmcontroller.evaluation;

import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.error.ErrorCode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The time and the threads XPath evaluations may take. The JDK's XPath engine cannot be interrupted (it checks no
 * flag, and over a DOM it walks its own cached copy, so no wrapper of the input sees its progress), and XPath 1.0
 * costs grow as the tree's size to the power of the nesting of paths in predicates ({@code //*[count(//*) > 0]} is
 * quadratic). So an evaluation runs on a thread of its own, the caller waits for it at most {@link #PER_METRIC} and
 * then abandons it, and at most {@link #MAX_RUNNING} such threads exist at once: an abandoned evaluation keeps its
 * thread (and one core) until it ends, but never more than that many cores, and the caller's request ends on time.
 */
final class XPathBudget {

    private static final Logger LOG = Logger.getLogger(XPathBudget.class);

    /** The time all XPath rules of one metric may take together; OSWorld's rules run in milliseconds on real trees. */
    static final Duration PER_METRIC = Duration.ofSeconds(2);

    /**
     * Evaluations running at once, abandoned ones included: at most this many cores go to XPath, whatever tenants
     * send. One, on the two-core machine this runs on, would let one abandoned evaluation stop every other; two
     * leaves a core for everything else.
     */
    static final int MAX_RUNNING = 2;

    private static final Semaphore RUNNING = new Semaphore(MAX_RUNNING);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private XPathBudget() {
    }

    /**
     * Runs {@code evaluation} on a thread of its own and returns its result within {@link #PER_METRIC}. The
     * evaluation is given a flag that turns true when the caller gave up, so it can stop between rules. Past the
     * budget: {@link Unscorable} (the tree and rules are too costly to judge); no thread free within the budget:
     * {@code 429 RATE_LIMITED} (other evaluations hold them; the task itself was not judged).
     */
    static <T> T run(Function<AtomicBoolean, T> evaluation) {
        long deadline = System.nanoTime() + PER_METRIC.toNanos();
        try {
            if (!RUNNING.tryAcquire(PER_METRIC.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new ApiException(429, ErrorCode.RATE_LIMITED, "all " + MAX_RUNNING + " XPath evaluation "
                        + "threads are busy with other tasks' trees; try the evaluation again later",
                        Map.of("running_limit", MAX_RUNNING));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an XPath thread", e);
        }
        AtomicBoolean abandoned = new AtomicBoolean();
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(evaluation.apply(abandoned));
            } catch (Throwable e) { // StackOverflowError included: the caller gets it as the evaluation's failure
                result.completeExceptionally(e);
            } finally {
                RUNNING.release(); // only when the work has really stopped, so abandoned threads count
            }
        }, "envgrid-xpath-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
        try {
            return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandoned.set(true);
            LOG.warnf("XPath evaluation abandoned after %d ms on %s; it keeps its thread until it ends",
                    PER_METRIC.toMillis(), thread.getName());
            throw new Unscorable("the XPath rules took longer than " + PER_METRIC.toMillis()
                    + " ms on the accessibility tree");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof StackOverflowError) {
                throw new Unscorable("the XPath rules nest too deeply for the accessibility tree");
            }
            throw new IllegalStateException("XPath evaluation failed", e.getCause());
        } catch (InterruptedException e) {
            abandoned.set(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an XPath evaluation", e);
        }
    }
}

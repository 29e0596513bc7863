package io.envgrid.allocator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The allocator's own meters; pool gauges live in {@link PoolGauges}, the pending cleanups' in {@link CleanupsPendingGauge}.
 */
@ApplicationScoped
public class AllocatorMetrics {

    /** How an allocation ended, as the {@code outcome} tag. */
    public enum Outcome { GRANTED, REPLAYED, INSUFFICIENT, REJECTED, UNAVAILABLE, ABANDONED }

    /**
     * What became of a cleanup that Redis did not answer at once ({@code lease.PersistentCleanups}), as the
     * {@code outcome} tag: it started retrying, a retry was answered, or it stopped without an answer.
     */
    public enum CleanupOutcome { RETRIED, ANSWERED_LATE, GAVE_UP }

    private final MeterRegistry registry;
    private final ConcurrentMap<Outcome, Counter> allocations = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> cleanups = new ConcurrentHashMap<>();
    private final Timer latency;
    private final Counter expiries;
    private final AtomicInteger waiting = new AtomicInteger();

    public AllocatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latency = Timer.builder("envgrid.allocation.latency")
                .description("Time from an allocation request to its answer, waiting included")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        this.expiries = Counter.builder("envgrid.lease.expiries")
                .description("Leases reclaimed after their timeout by this replica")
                .register(registry);
        registry.gauge("envgrid.allocation.waiting", Tags.empty(), waiting);
    }

    public void allocation(Outcome outcome, long startNanos) {
        allocations.computeIfAbsent(outcome, o -> Counter.builder("envgrid.allocations")
                .description("Allocation requests by outcome")
                .tag("outcome", o.name().toLowerCase())
                .register(registry)).increment();
        latency.record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /**
     * Counts one step of a cleanup ({@code kind}: {@code abandon} releases an undelivered grant, {@code withdraw}
     * withdraws the ticket of a wait that ended) in {@code envgrid_cleanups_total{kind,outcome}}; only cleanups
     * that met Redis unavailable are counted.
     */
    public void cleanup(String kind, CleanupOutcome outcome) {
        String tag = outcome.name().toLowerCase();
        cleanups.computeIfAbsent(kind + "/" + tag, k -> Counter.builder("envgrid.cleanups")
                .description("Cleanups (abandon, withdraw) that met Redis unavailable: retried, answered late, given up")
                .tag("kind", kind)
                .tag("outcome", tag)
                .register(registry)).increment();
    }

    public void expired(int count) {
        expiries.increment(count);
    }

    public void waitStarted() {
        waiting.incrementAndGet();
    }

    public void waitEnded() {
        waiting.decrementAndGet();
    }
}

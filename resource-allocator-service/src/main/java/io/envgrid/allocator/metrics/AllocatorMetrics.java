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

/** The allocator's own meters; pool gauges live in {@link PoolGauges}. */
@ApplicationScoped
public class AllocatorMetrics {

    /** How an allocation ended, as the {@code outcome} tag. */
    public enum Outcome { GRANTED, REPLAYED, INSUFFICIENT, REJECTED, UNAVAILABLE, ABANDONED }

    private final MeterRegistry registry;
    private final ConcurrentMap<Outcome, Counter> allocations = new ConcurrentHashMap<>();
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

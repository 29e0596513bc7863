package io.envgrid.allocator.metrics;

import io.envgrid.allocator.inventory.InventoryService;
import io.envgrid.allocator.inventory.TypeStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/** {@code envgrid_pool_resources{type,state}}, refreshed from Redis on a timer rather than per scrape. */
@ApplicationScoped
public class PoolGauges {

    private static final Logger LOG = Logger.getLogger(PoolGauges.class);

    private final InventoryService inventory;
    private final MultiGauge gauge;

    public PoolGauges(InventoryService inventory, MeterRegistry registry) {
        this.inventory = inventory;
        this.gauge = MultiGauge.builder("envgrid.pool.resources")
                .description("Registered resources by type and state")
                .register(registry);
    }

    @Scheduled(every = "${envgrid.allocator.pool-gauge-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return inventory.stats().invoke(this::publish).replaceWithVoid()
                .onFailure().invoke(e -> LOG.debugf("pool gauges keep their last values: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    private void publish(Map<String, TypeStats> stats) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        stats.forEach((type, s) -> {
            rows.add(row(type, "free", s.free()));
            rows.add(row(type, "leased", s.leased()));
            rows.add(row(type, "resetting", s.resetting()));
            rows.add(row(type, "draining", s.draining()));
            rows.add(row(type, "down", s.down()));
        });
        gauge.register(rows, true);
    }

    private static MultiGauge.Row<?> row(String type, String state, int value) {
        return MultiGauge.Row.of(Tags.of("type", type, "state", state), value);
    }
}

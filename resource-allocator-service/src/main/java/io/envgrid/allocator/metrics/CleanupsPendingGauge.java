package io.envgrid.allocator.metrics;

import io.envgrid.allocator.lease.PersistentCleanups;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;

/**
 * The gauge {@code envgrid_cleanups_pending}: how many cleanups (abandon, withdraw) {@link PersistentCleanups} is
 * retrying now, 0 to {@code PersistentCleanups.MAX_PENDING}.
 *
 * <p>Quarkus binds every {@link MeterBinder} bean when it sets up its registries, at start-up, so the gauge is on
 * {@code /q/metrics} from then on: an alert on it sees 0, not "no data", on a replica that has met no outage yet.
 * Registering it from {@code PersistentCleanups} itself showed it only from that bean's first use (the first
 * undelivered grant or lost withdrawal). The value is looked up on each read, through the bean's client proxy: the
 * first scrape creates {@code PersistentCleanups} (its constructor only keeps its two dependencies) rather than
 * start-up doing it.
 */
@Singleton
public class CleanupsPendingGauge implements MeterBinder {

    private final PersistentCleanups cleanups;

    public CleanupsPendingGauge(PersistentCleanups cleanups) {
        this.cleanups = cleanups;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("envgrid.cleanups.pending", cleanups, PersistentCleanups::pending)
                .description("Cleanups (abandon, withdraw) retrying until Redis answers them")
                // the registry keeps gauges' objects weakly; this one is the application's, alive as long as it is
                .strongReference(true)
                .register(registry);
    }
}

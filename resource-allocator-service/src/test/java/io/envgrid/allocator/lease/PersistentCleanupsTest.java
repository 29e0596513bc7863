package io.envgrid.allocator.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.envgrid.allocator.metrics.AllocatorMetrics;
import io.envgrid.allocator.metrics.CleanupsPendingGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bounds of the cleanups that retry until Redis answers (no local-clock moot moment any more): at most
 * {@link PersistentCleanups#MAX_PENDING} retry at a time, and a shutdown gives up those still retrying; on a real
 * Vert.x, with a Redis that is never reachable (every attempt fails as {@code ScriptRunner} fails a refused connection).
 */
class PersistentCleanupsTest {

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PersistentCleanups cleanups = new PersistentCleanups(vertx, new AllocatorMetrics(registry));
    private final AtomicInteger attempts = new AtomicInteger();

    PersistentCleanupsTest() {
        new CleanupsPendingGauge(cleanups).bindTo(registry);
    }

    @AfterEach
    void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void atMostMaxPendingRetryAndAShutdownGivesUpTheRest() {
        for (int i = 0; i <= PersistentCleanups.MAX_PENDING; i++) {
            cleanups.run(unreachable("abandon", i));
        }
        assertEquals(PersistentCleanups.MAX_PENDING, cleanups.pending(), "retrying");
        assertEquals(1.0, count("gave_up"), "the one beyond the bound is given up at once");
        assertEquals(PersistentCleanups.MAX_PENDING, count("retried"));
        assertEquals(PersistentCleanups.MAX_PENDING, registry.get("envgrid.cleanups.pending").gauge().value());

        cleanups.stop(null);
        assertEquals(0, cleanups.pending(), "nothing retries after shutdown");
        assertEquals(PersistentCleanups.MAX_PENDING + 1.0, count("gave_up"), "each one given up is counted once");
        int attemptsAtShutdown = attempts.get();
        // A cleanup that meets the outage during shutdown does not start retrying either.
        cleanups.run(unreachable("withdraw", -1));
        assertEquals(0, cleanups.pending());
        assertEquals(attemptsAtShutdown + 1, attempts.get());
    }

    private PersistentCleanups.Cleanup<Long> unreachable(String kind, int n) {
        return new PersistentCleanups.Cleanup<>(kind, "test cleanup " + n, () -> {
            attempts.incrementAndGet();
            return Uni.createFrom().failure(new ApiException(503, ErrorCode.REDIS_UNAVAILABLE,
                    "Redis is unavailable: Connection refused"));
        }, answer -> { });
    }

    private double count(String outcome) {
        return registry.find("envgrid.cleanups").tag("outcome", outcome).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}

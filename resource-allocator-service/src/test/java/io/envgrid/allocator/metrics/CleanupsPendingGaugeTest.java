package io.envgrid.allocator.metrics;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.registerPool;
import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.containsString;

import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review 19: {@code envgrid_cleanups_pending} (README, metrics) is shown from start-up, as the wait gauge is: an
 * operator's alert or dashboard on it must not see "no data" on a replica that has met no outage yet. It used to be
 * registered by {@code PersistentCleanups}, an application-scoped bean created at its first use only (the first
 * undelivered grant or lost withdrawal); it is now a {@code MeterBinder} bean's. The Vert.x HTTP server meters stay
 * (creating {@code PersistentCleanups} at start-up with {@code @Startup} had lost them in one run).
 */
@QuarkusTest
@WithRedis
class CleanupsPendingGaugeTest extends CleanRedis {

    @Test
    void thePendingCleanupsGaugeIsShownFromStartUpNextToTheHttpServerMeters() {
        // No cleanup has run in this application, and nothing was allocated yet.
        get("/q/metrics").then().statusCode(200).body(containsString("envgrid_cleanups_pending "));

        registerPool("rag", 1);
        allocate("gauge-worker", List.of("rag"), 60).statusCode(200);
        get("/q/metrics").then().statusCode(200)
                .body(containsString("envgrid_allocation_waiting"))
                .body(containsString("envgrid_cleanups_pending "))
                .body(containsString("http_server_requests_seconds_count{"))
                .body(containsString("http_server_active_connections "));
    }
}

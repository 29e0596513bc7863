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
 * Review 19: {@code envgrid_cleanups_pending} (README, metrics) is shown, at 0, once the allocator serves allocations,
 * as the wait gauge is: an operator's alert or dashboard on it must not see "no data" on a replica that has met no
 * outage yet. {@code PersistentCleanups} registers it in its constructor, and that application-scoped bean is created
 * at its first use only (the first undelivered grant or lost withdrawal).
 */
@QuarkusTest
@WithRedis
class CleanupsPendingGaugeTest extends CleanRedis {

    @Test
    void thePendingCleanupsGaugeIsShownOnceAllocationsAreServed() {
        registerPool("rag", 1);
        allocate("gauge-worker", List.of("rag"), 60).statusCode(200);
        get("/q/metrics").then().statusCode(200)
                .body(containsString("envgrid_allocation_waiting"))
                .body(containsString("envgrid_cleanups_pending"));
    }
}

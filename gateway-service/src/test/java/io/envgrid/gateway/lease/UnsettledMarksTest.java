package io.envgrid.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The worker's set of unsettled marks ({@link UnsettledRequests}) holds only live marks: each mark written drops the
 * worker's lapsed ones. Before, a lapsed mark stayed in the set for as long as the key lived (as long as its longest
 * mark, lengthened by every later one), so a worker failing now and then kept a set that only grew.
 */
@QuarkusTest
@WithCluster
class UnsettledMarksTest {

    /** An owner no replica is: no sweeper asks on these requests while the test runs (they are claimed). */
    private static final String OWNER = "unsettled-marks-test";

    @Inject
    UnsettledRequests unsettled;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    @Test
    void aMarkWrittenDropsTheWorkersLapsedMarks() {
        String worker = "marks-" + UUID.randomUUID();
        String key = keys.unsettledRequests(worker);
        try {
            // a long mark keeps the key alive, so the lapsed one is not dropped with the key's own expiry
            mark(worker, "long", Duration.ofMinutes(1));
            mark(worker, "short", Duration.ofMillis(200));
            double shortLapse = redis.sortedSet(String.class).zscore(key, "short").orElseThrow();
            Conditions.await("the short mark lapsed", Duration.ofSeconds(5),
                    () -> System.currentTimeMillis() > shortLapse + 50);

            mark(worker, "next", Duration.ofMinutes(1));

            assertEquals(Set.of("long", "next"), Set.copyOf(redis.sortedSet(String.class).zrange(key, 0, -1)),
                    "the lapsed mark dropped, the live ones kept");
        } finally {
            for (String request : List.of("long", "short", "next")) {
                unsettled.clear(worker, request).await().atMost(Duration.ofSeconds(5));
            }
        }
    }

    private void mark(String worker, String request, Duration lapse) {
        unsettled.mark(worker, request, lapse, OWNER, Duration.ofMinutes(1)).await().atMost(Duration.ofSeconds(5));
    }
}

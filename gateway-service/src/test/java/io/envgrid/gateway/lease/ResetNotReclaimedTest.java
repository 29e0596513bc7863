package io.envgrid.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.allocation.Allocations;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.envgrid.gateway.tool.ProgressSink;
import io.envgrid.gateway.tool.ToolSpec;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The allocator announces {@code reason: "reset"} on the expiry channel after every end of a resettable resource's
 * lease, a release as much as an expiry. The gateway reports {@code lease.reclaimed} for what the allocator took back
 * only: a release through the gateway reports none, an expiry exactly one (its {@code expired} message). Was: every
 * message was reported, so each release of a desktop logged a "reclaimed" warning and an expiry two. The messages
 * here are the packaged allocator's own, for a resource registered with {@code reset: true}.
 */
@QuarkusTest
@WithCluster
class ResetNotReclaimedTest {

    @Inject
    Allocations allocations;

    @Inject
    WorkerCleanup cleanup;

    @Inject
    WorkerResources resources;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    /** What the gateway reported: {@code worker event reason}. */
    private final List<String> reported = new CopyOnWriteArrayList<>();

    @BeforeEach
    void recordReports() {
        QuarkusMock.installMockForType(new WorkerActivities(null) {
            @Override
            public void report(String workerId, Severity severity, String event, ObjectNode details) {
                reported.add(workerId + " " + event + " " + details.path("reason").asText());
            }

            @Override
            public void leasesChanged(String workerId) {
            }

            @Override
            public void leaseTermsChanged(String workerId) {
            }

            @Override
            public void leaseTermsChanged(String workerId, List<Response> reads) {
            }

            @Override
            public List<RenewalRead> renewalReads() {
                return List.of();
            }

            @Override
            public void toolSucceeded(String workerId, ToolSpec tool, ObjectNode arguments) {
            }
        }, WorkerActivities.class);
    }

    @Test
    void aReleaseOfAResettableResourceReportsNoReclaim() {
        String type = "misc_reset_rel";
        String worker = "reset-release-" + System.nanoTime();
        registerResettable("reset-rel-" + System.nanoTime(), type);
        try {
            JsonNode granted = allocations.allocate(worker, List.of(type), 60, 0, ProgressSink.NONE)
                    .await().atMost(Duration.ofSeconds(30));
            cleanup.release(worker, List.of(granted.path(type).path("id").asText())).await().atMost(Duration.ofSeconds(10));
            heardSince();
            assertEquals(List.of(), reportsOf(worker));
        } finally {
            TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + worker + "\"}");
            resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
        }
    }

    @Test
    void anExpiryOfAResettableResourceReportsOneReclaim() {
        String type = "misc_reset_exp";
        String worker = "reset-expiry-" + System.nanoTime();
        registerResettable("reset-exp-" + System.nanoTime(), type);
        try {
            // a 1 s lease nobody renews (the worker has no session): the allocator's reaper ends it
            allocations.allocate(worker, List.of(type), 1, 0, ProgressSink.NONE).await().atMost(Duration.ofSeconds(30));
            Conditions.await("the expiry forgotten", Duration.ofSeconds(20),
                    () -> resources.all(worker).await().atMost(Duration.ofSeconds(5)).isEmpty());
            heardSince();
            assertEquals(List.of(worker + " lease.reclaimed expired"), reportsOf(worker));
        } finally {
            TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + worker + "\"}");
            resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
        }
    }

    private static void registerResettable(String id, String type) {
        var response = TestCluster.get().allocatorCall("POST", "/resources", "{\"id\": \"" + id + "\", \"type\": \""
                + type + "\", \"endpoint\": {\"ip\": \"127.0.0.1\", \"port\": 1}, \"labels\": {}, \"reset\": true}");
        assertTrue(response.statusCode() < 300, response.body());
    }

    /**
     * Waits until the gateway heard every message the allocator published so far: a marker published now on the same
     * channel is heard after them (one subscription, in order), and its report says it was.
     */
    private void heardSince() {
        String marker = "reset-marker-" + System.nanoTime();
        redis.pubsub(String.class).publish(keys.allocatorExpiryChannels().get(0), "{\"resource_id\": \"none\", "
                + "\"type\": \"t\", \"worker_id\": \"" + marker + "\", \"lease_id\": \"none:1\", \"fencing_token\": 1, "
                + "\"reason\": \"expired\"}");
        Conditions.await("the marker heard", Duration.ofSeconds(10), () -> !reportsOf(marker).isEmpty());
    }

    private List<String> reportsOf(String worker) {
        return reported.stream().filter(r -> r.startsWith(worker + " ")).toList();
    }
}

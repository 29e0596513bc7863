package io.envgrid.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.allocation.Allocations;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.envgrid.gateway.tool.ProgressSink;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * While an allocation of a worker is being settled ({@link UnsettledRequests}), the keep-alive renews only the
 * leases the worker was told of: a grant whose answer never reached it (here one taken at the allocator behind
 * the gateway's back, as a lost answer leaves it) is not renewed. Once the request is settled, all are renewed
 * again, as before.
 */
@QuarkusTest
@WithCluster
class UnsettledKeepAliveTest {

    private static final String TYPE = "vm_keepalive";

    @Inject
    Allocations allocations;

    @Inject
    UnsettledRequests unsettled;

    @Inject
    WorkerResources resources;

    @Inject
    LeaseKeepAlive keepAlive;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    @Test
    void aLeaseTheWorkerNeverHeardOfIsNotRenewedWhileItsRequestIsUnsettled() {
        // claimed for the whole test by an owner that never asks: no sweeper settles the request meanwhile
        renewsOnlyTheKnownLeaseWhileUnsettled("keepalive-1", "keepalive-2",
                worker -> unsettled.mark(worker, "lost-request", Duration.ofMinutes(5), "keepalive-test",
                        Duration.ofMinutes(5)).await().atMost(Duration.ofSeconds(5)),
                worker -> unsettled.clear(worker, "lost-request").await().atMost(Duration.ofSeconds(5)));
    }

    /**
     * The same with the request's mark refused by Redis and kept in this replica's memory (not made ready, so its
     * sweeper does not write it): this replica's keep-alive counts the worker unsettled all the same. Before, a mark
     * that could not be written left the keep-alive renewing every lease of the worker.
     */
    @Test
    void aLeaseTheWorkerNeverHeardOfIsNotRenewedWhileItsMarkIsKeptInMemory() {
        renewsOnlyTheKnownLeaseWhileUnsettled("keepalive-3", "keepalive-4",
                worker -> assertTrue(unsettled.keepUnwritten(worker, "lost-request", Duration.ofMinutes(5)), "kept"),
                worker -> assertTrue(unsettled.forgetUnwritten(worker, "lost-request"), "forgotten"));
    }

    /**
     * A worker with a live session, one lease it was told of and one taken behind the gateway's back; while
     * {@code unsettle} holds, the keep-alive renews the first only, and after {@code settle} both.
     */
    private void renewsOnlyTheKnownLeaseWhileUnsettled(String resource, String otherResource, Consumer<String> unsettle,
            Consumer<String> settle) {
        TestCluster.get().register(resource, TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        TestCluster.get().register(otherResource, TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "keepalive-" + System.nanoTime();
        String known = allocations.allocate(worker, List.of(TYPE), 60, 0, ProgressSink.NONE)
                .await().atMost(Duration.ofSeconds(30)).path(TYPE).path("id").asText();
        String lost = McpSteps.readTree(TestCluster.get().allocatorCall("POST", "/allocate", "{\"worker_id\": \"" + worker
                + "\", \"resource_types\": [\"" + TYPE + "\"], \"timeout\": 60}").body()).path(TYPE).path("id").asText();
        redis.set(String.class).sadd(keys.mcpWorkers(), worker);   // a worker with a live session
        try {
            unsettle.accept(worker);
            Instant lostExpiry = expiry(worker, lost);
            runKeepAlive();
            Conditions.await("the known lease renewed", Duration.ofSeconds(20),
                    () -> expiry(worker, known).isAfter(Instant.now().plusSeconds(300)));
            assertEquals(lostExpiry, expiry(worker, lost), "the lease nobody heard of was not renewed");

            settle.accept(worker);
            runKeepAlive();
            Conditions.await("settled: every lease renewed again", Duration.ofSeconds(20),
                    () -> expiry(worker, lost).isAfter(Instant.now().plusSeconds(300)));
        } finally {
            // whatever the case left, even when it failed half-way: no mark, index entry or claim in the shared Redis,
            // and nothing in this replica's memory for its sweeper to write later (or its stop to write at the end)
            unsettled.forgetUnwritten(worker, "lost-request");
            unsettled.clear(worker, "lost-request").await().atMost(Duration.ofSeconds(5));
            redis.set(String.class).srem(keys.mcpWorkers(), worker);
            TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + worker + "\"}");
            resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
        }
    }

    /** One keep-alive round now: the lock a periodic round may hold is dropped first. */
    private void runKeepAlive() {
        redis.key().del(keys.keepaliveLock());
        keepAlive.keepAlive();
    }

    private static Instant expiry(String worker, String resourceId) {
        for (JsonNode lease : TestCluster.get().leasesOf(worker)) {
            if (resourceId.equals(lease.path("resource_id").asText())) {
                return Instant.parse(lease.path("expires_at").asText());
            }
        }
        throw new AssertionError(resourceId + " is not leased to " + worker);
    }
}

package io.envgrid.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.client.Downstream;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The check of a worker's record against the allocator's leases after the expiries are subscribed again ({@link
 * LeaseExpiries#reconcile(String)}), with the allocator's {@code GET /leases} answered by the test: what it reports
 * and tells is only what it removed, and an allocator failure is tried again.
 */
@QuarkusTest
@WithCluster
class ReconcileTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ReactiveRedisDataSource redis;

    @Inject
    GatewayKeys keys;

    @Inject
    WorkerResources resources;

    @Inject
    Downstream downstream;

    @Inject
    Backends backends;

    @Inject
    GatewayConfig config;

    /** What the check reported ({@code event:resource}) and told the listener ({@code resource:token}). */
    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final List<String> told = new CopyOnWriteArrayList<>();
    /** How many of the listener's next calls fail. */
    private final AtomicInteger failTells = new AtomicInteger();
    /** The worker of the test, forgotten after it. */
    private String worker;

    /**
     * The worker releases the lease while the check runs (after its look-up, before its forget): the release removed
     * the entry and told the listeners itself, so the check reports nothing and tells no one. Was: {@code
     * lease.reclaimed} (reason {@code not_held}) and a second {@code leaseEnded} for the released lease.
     */
    @Test
    void aReleaseBetweenTheLookUpAndTheForgetIsNeitherReportedNorTold() {
        // the allocator has released it; the release's own forget lands before the allocator's answer
        int ended = reconciled("reconcile-race-", "{\"vm_r\": {\"id\": \"res-race\", \"fencing_token\": 5}}",
                w -> resources.forget(w, List.of("res-race")).replaceWith(JSON.createArrayNode()));
        assertEquals(0, ended, "the release removed it, not the check");
        assertEquals(List.of(), reported);
        assertEquals(List.of(), told);
    }

    /**
     * The allocator fails the first look-up (a blip): the check tries again, finds the lease no longer held, and ends
     * it. Was: the failure was logged and the dead lease stayed recorded until the next re-subscription.
     */
    @Test
    void anAllocatorFailureIsTriedAgain() {
        AtomicInteger lookUps = new AtomicInteger();
        int ended = reconciled("reconcile-retry-", "{\"vm_r\": {\"id\": \"res-retry\", \"fencing_token\": 5}, "
                + "\"rag_r\": {\"id\": \"res-live\", \"fencing_token\": 2}}", w -> lookUps.incrementAndGet() == 1
                        ? Uni.createFrom().failure(new ToolFailure(503, ErrorCode.BACKEND_UNREACHABLE, "allocator away", Map.of()))
                        : Uni.createFrom().item(JSON.createArrayNode().add(JSON.createObjectNode()
                                .put("resource_id", "res-live").put("fencing_token", 2))));
        assertEquals(1, ended);
        assertEquals(2, lookUps.get());
        assertEquals(List.of("lease.reclaimed:res-retry:not_held"), reported);
        assertEquals(List.of("res-retry:5"), told);
        assertEquals(List.of("rag_r"), List.copyOf(resources.all(worker).await().atMost(Duration.ofSeconds(5)).keySet()));
    }

    /**
     * The listener fails once (Redis away for a moment while it ends a session) after the check removed two dead
     * leases: the telling is tried again, and both leases are reported and told. Was: the whole check was tried again,
     * found the record already cleared, and answered 0; the second lease was never reported and neither was ever told
     * (its Sandbox session stayed usable on an ended lease).
     */
    @Test
    void aListenerFailureIsToldAgainNotLost() {
        failTells.set(1);
        int ended = reconciled("reconcile-tell-", "{\"vm_a\": {\"id\": \"res-a\", \"fencing_token\": 3}, "
                + "\"vm_b\": {\"id\": \"res-b\", \"fencing_token\": 4}}", w -> Uni.createFrom().item(JSON.createArrayNode()));
        assertEquals(2, ended);
        // in the record's (hash) order, which Redis does not fix
        assertEquals(List.of("lease.reclaimed:res-a:not_held", "lease.reclaimed:res-b:not_held"),
                reported.stream().sorted().toList());
        assertEquals(List.of("res-a:3", "res-b:4"), told.stream().sorted().toList());
    }

    @AfterEach
    void forgetTheWorker() {
        if (worker != null) {
            resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
        }
    }

    /**
     * A new worker (named {@code prefix} + a number) with this record ({@code {field: entry}}), checked once against
     * {@code leases} (the allocator's look-up); answers how many leases the check ended.
     */
    private int reconciled(String prefix, String record, Function<String, Uni<JsonNode>> leases) {
        worker = prefix + System.nanoTime();
        try {
            resources.record(worker, JSON.readTree(record)).await().atMost(Duration.ofSeconds(5));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return expiries(leases).reconcile(worker).await().atMost(Duration.ofSeconds(10));
    }

    /** The expiries with this allocator look-up, a recording listener and report, and a 10 ms first retry. */
    private LeaseExpiries expiries(Function<String, Uni<JsonNode>> leases) {
        AllocatorApi allocator = new AllocatorApi(downstream, backends, config) {
            @Override
            public Uni<JsonNode> leases(String workerId) {
                return Uni.createFrom().deferred(() -> leases.apply(workerId));
            }
        };
        WorkerActivities activities = new WorkerActivities(null) {
            @Override
            public void report(String workerId, Severity severity, String event, ObjectNode details) {
                reported.add(event + ":" + details.path("resource_id").asText() + ":" + details.path("reason").asText());
            }
        };
        LeaseEndListener listener = (worker, lease) -> {
            if (failTells.getAndDecrement() > 0) {
                return Uni.createFrom().failure(new IllegalStateException("session store away"));
            }
            told.add(lease.resourceId() + ":" + lease.fencingToken());
            return Uni.createFrom().voidItem();
        };
        return new LeaseExpiries(redis, keys, JSON, resources, List.of(listener), activities, allocator, null,
                Duration.ofMillis(10));
    }
}

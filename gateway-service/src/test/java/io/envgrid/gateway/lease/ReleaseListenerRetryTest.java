package io.envgrid.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.allocation.Allocations;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.client.VmControllerApi;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.envgrid.gateway.tool.ProgressSink;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A release through the gateway whose {@link LeaseEndListener} fails once (the Sandbox session store away for a moment):
 * the listener is told again and the release answers success. Was: the listener's failure failed the release, though
 * the allocator had released the lease and the record's entry was gone, so the client's retry removed nothing and the
 * listener was never told (the Sandbox session stayed on a released lease).
 */
@QuarkusTest
@WithCluster
class ReleaseListenerRetryTest {

    private static final String TYPE = "misc_told";

    @Inject
    Allocations allocations;

    @Inject
    WorkerResources resources;

    @Inject
    AllocatorApi allocator;

    @Inject
    VmControllerApi vmController;

    private final List<String> told = new CopyOnWriteArrayList<>();
    private final AtomicInteger failTells = new AtomicInteger();

    @Test
    void aListenerFailingOnceIsToldAgainAndTheReleaseSucceeds() {
        TestCluster.get().register("told-1", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        TestCluster.get().register("told-2", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "release-told-" + System.nanoTime();
        try {
            JsonNode granted = allocations.allocate(worker, List.of(TYPE, TYPE), 60, 0, ProgressSink.NONE)
                    .await().atMost(Duration.ofSeconds(30));
            String first = granted.path(TYPE).path("id").asText();
            String second = granted.path(TYPE + "#2").path("id").asText();
            failTells.set(1);
            WorkerCleanup cleanup = cleanup();

            cleanup.release(worker, List.of(first)).await().atMost(Duration.ofSeconds(10));
            assertEquals(List.of(first + ":" + granted.path(TYPE).path("fencing_token").asLong()), told,
                    "told again after its failure");

            // releasing everything: the same, each entry told on its own
            failTells.set(1);
            told.clear();
            cleanup.releaseAll(worker).await().atMost(Duration.ofSeconds(10));
            assertEquals(List.of(second + ":" + granted.path(TYPE + "#2").path("fencing_token").asLong()), told);
            assertEquals(List.of(), List.copyOf(resources.all(worker).await().atMost(Duration.ofSeconds(5)).keySet()));
        } finally {
            TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + worker + "\"}");
            resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
        }
    }

    /** The cleanup with a listener failing its next {@link #failTells} calls, then recording, and a 10 ms first retry. */
    private WorkerCleanup cleanup() {
        LeaseEndListener listener = (worker, lease) -> {
            if (failTells.getAndDecrement() > 0) {
                return Uni.createFrom().failure(new IllegalStateException("session store away"));
            }
            told.add(lease.resourceId() + ":" + lease.fencingToken());
            return Uni.createFrom().voidItem();
        };
        return new WorkerCleanup(allocator, vmController, resources, List.of(listener), Duration.ofMillis(10));
    }
}

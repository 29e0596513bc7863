package io.envgrid.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.allocation.Allocations;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.client.Downstream;
import io.envgrid.gateway.client.Reply;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.envgrid.gateway.tool.ProgressSink;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A batch release the allocator refuses in part (403 {@code NOT_LEASE_HOLDER}: one cell's lease was granted to
 * another worker between its look-up and its scripts) after another cell released its part: the released lease
 * leaves the worker's record, the refused one stays, and the 403 reaches the caller with {@code details.applied}.
 * The refusal is the allocator's answer as it gives it with cells (its {@code AppliedAcrossCellsTest}), produced
 * here by releasing the other ids for real at the packaged allocator and answering the refused id's 403 for it,
 * since the shared cluster's allocator runs one cell.
 */
@QuarkusTest
@WithCluster
class PartlyAppliedReleaseTest {

    private static final String TYPE = "misc_partly";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Allocations allocations;

    @Inject
    WorkerResources resources;

    @Inject
    WorkerCleanup cleanup;

    @Inject
    Downstream downstream;

    @Inject
    Backends backends;

    @Inject
    GatewayConfig config;

    /** The failure the gateway's client makes of an allocator answer {@code status} with this error envelope. */
    private static ToolFailure allocatorError(int status, String code, String message, ObjectNode details) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        error.set("details", details);
        return Downstream.failureOf("allocator", new Reply(status, body));
    }

    /** The allocator with a second cell whose script refuses {@code refused}: the other ids are released for real. */
    class AllocatorRefusingOne extends AllocatorApi {
        private final String refused;

        AllocatorRefusingOne(String refused) {
            super(downstream, backends, config);
            this.refused = refused;
        }

        @Override
        public Uni<JsonNode> releaseBatch(String workerId, List<String> resourceIds) {
            List<String> others = resourceIds.stream().filter(id -> !id.equals(refused)).toList();
            return super.releaseBatch(workerId, others).map(released -> {
                ObjectNode details = JSON.createObjectNode();
                details.putArray("resources").add(refused);
                details.put("worker_id", workerId);
                details.set("applied", released.path("details"));
                throw allocatorError(403, "NOT_LEASE_HOLDER", "worker '" + workerId + "' does not hold [" + refused
                        + "]; the other ids were applied in their cells (details.applied)", details);
            });
        }
    }

    @Test
    void theAppliedPartOfARefusedReleaseLeavesTheWorkersRecord() {
        TestCluster.get().register("partly-1", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        TestCluster.get().register("partly-2", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "partly-" + System.nanoTime();
        try {
            JsonNode granted = allocations.allocate(worker, List.of(TYPE, TYPE), 60, 0, ProgressSink.NONE)
                    .await().atMost(Duration.ofSeconds(30));
            String applied = granted.path(TYPE).path("id").asText();
            String refused = granted.path(TYPE + "#2").path("id").asText();
            QuarkusMock.installMockForType(new AllocatorRefusingOne(refused), AllocatorApi.class);

            ToolFailure failure = assertThrows(ToolFailure.class, () -> cleanup.release(worker, List.of(applied, refused))
                    .await().atMost(Duration.ofSeconds(30)));
            assertEquals(403, failure.status());
            assertEquals("NOT_LEASE_HOLDER", failure.code());
            assertEquals("released", ((JsonNode) failure.details().get("applied")).path(applied).asText());

            List<String> recorded = resources.all(worker).await().atMost(Duration.ofSeconds(5)).values().stream()
                    .map(entry -> entry.path("id").asText()).toList();
            assertEquals(List.of(refused), recorded, "the released lease left the record, the refused one stayed");
            List<String> leased = new java.util.ArrayList<>();
            TestCluster.get().leasesOf(worker).forEach(lease -> leased.add(lease.path("resource_id").asText()));
            assertTrue(leased.equals(List.of(refused)), "the allocator released " + applied + " only: " + leased);
        } finally {
            TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + worker + "\"}");
            resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
        }
    }

    /**
     * The allocator settling a request_id in one cell and failing in another (503, {@code details.applied} listing
     * the leases the settled cell released), as its {@code LeaseService.settleRequest} answers with cells.
     */
    class AllocatorFailingOneCell extends AllocatorApi {
        AllocatorFailingOneCell() {
            super(downstream, backends, config);
        }

        @Override
        public Uni<JsonNode> releaseGrant(String workerId, String requestId) {
            return super.releaseGrant(workerId, requestId).map(settled -> {
                ObjectNode details = JSON.createObjectNode();
                details.putArray("failed_cells").add("b");
                ObjectNode applied = details.putObject("applied");
                applied.set("released", settled.path("released"));
                applied.set("expired", settled.path("expired"));
                applied.putArray("settled_in_cells").add("a");
                throw allocatorError(503, "BACKEND_UNREACHABLE",
                        "cell b did not answer; the other cells settled their part (details.applied)", details);
            });
        }
    }

    @Test
    void theSettledPartOfAFailedGrantGiveBackLeavesTheWorkersRecord() {
        TestCluster.get().register("partly-grant-1", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "partly-grant-" + System.nanoTime();
        String requestId = "give-back-" + System.nanoTime();
        try {
            allocations.allocate(worker, List.of(TYPE), 60, 0, requestId, ProgressSink.NONE)
                    .await().atMost(Duration.ofSeconds(30));
            assertEquals(1, resources.all(worker).await().atMost(Duration.ofSeconds(5)).size());
            QuarkusMock.installMockForType(new AllocatorFailingOneCell(), AllocatorApi.class);

            ToolFailure failure = assertThrows(ToolFailure.class, () -> cleanup.releaseGrant(worker, requestId)
                    .await().atMost(Duration.ofSeconds(30)));
            assertEquals(503, failure.status());
            assertEquals(1, ((JsonNode) failure.details().get("applied")).path("released").size());
            assertEquals(Map.of(), resources.all(worker).await().atMost(Duration.ofSeconds(5)),
                    "the lease the settled cell released left the record");
        } finally {
            TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + worker + "\"}");
            resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
        }
    }

    @Test
    void anErrorWithoutAppliedPartReleasesNothingFromTheRecord() {
        ToolFailure plain = new ToolFailure(403, "NOT_LEASE_HOLDER", "nothing was changed",
                Map.of("resources", List.of("x"), "applied", JSON.createObjectNode()));
        assertEquals(List.of(), WorkerCleanup.appliedOf(plain, List.of("x", "y")));
        assertEquals(List.of(), WorkerCleanup.appliedOf(new ToolFailure(503, "BACKEND_UNREACHABLE", "down", Map.of()),
                List.of("x")));
    }
}

package io.envgrid.gateway.sandbox.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.sandbox.execution.SandboxCatalog;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a leased Sandbox backend gives back is the grant its session was made with, not whatever the worker holds of
 * that resource now. Driven on the device backend (no set-up step) against the cluster's real allocator, with a pool of
 * one resource of its own, so a second grant to the worker is of the same resource.
 */
@QuarkusTest
@WithCluster
class GrantGiveBackTest {

    private static final String TYPE = "device_giveback";
    private static final String RESOURCE = "giveback-device-1";

    @Inject
    SandboxCatalog catalog;

    @Inject
    WorkerResources resources;

    /**
     * The session's lease ends (here its worker releases it at the allocator) and the worker is granted the same
     * resource again; the session's give-back (a destroy, a create given up once its lease ended, a call-scoped
     * session's end) then leaves that later grant leased and recorded. Was: the give-back released by resource id, so
     * it ended the worker's later lease, which no session of it was about.
     */
    @Test
    void aGiveBackLeavesALaterGrantOfTheSameResourceLeased() {
        TestCluster cluster = TestCluster.get();
        if (cluster.allocatorCall("GET", "/resources/" + RESOURCE, null).statusCode() != 200) {
            cluster.register(RESOURCE, TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 9}");
        }
        SessionBackend device = (SessionBackend) catalog.backend("device").orElseThrow();
        String worker = "giveback-" + System.nanoTime();
        ObjectNode config = JsonNodeFactory.instance.objectNode().put("allocator_type", TYPE).put("lease_timeout", 60);

        JsonNode first = device.initialize(worker, config).await().atMost(Duration.ofSeconds(10));
        assertEquals(200, cluster.allocatorCall("POST", "/release", "{\"worker_id\": \"" + worker
                + "\", \"resource_id\": \"" + RESOURCE + "\"}").statusCode());
        JsonNode second = device.initialize(worker, config).await().atMost(Duration.ofSeconds(10));
        assertEquals(RESOURCE, second.path("id").asText());
        assertNotEquals(first.path("fencing_token").asLong(), second.path("fencing_token").asLong());

        device.cleanup(worker, first).await().atMost(Duration.ofSeconds(10));
        assertEquals(List.of(RESOURCE + ":" + second.path("fencing_token").asLong()), leases(worker),
                "the later grant is still the worker's");
        assertEquals(second.path("fencing_token").asLong(), resources.all(worker).await().atMost(Duration.ofSeconds(5))
                .values().iterator().next().path("fencing_token").asLong(), "and still recorded for it");

        device.cleanup(worker, second).await().atMost(Duration.ofSeconds(10));
        assertEquals(List.of(), leases(worker), "its own give-back ends it");
        assertEquals(0, resources.all(worker).await().atMost(Duration.ofSeconds(5)).size());
    }

    /** The worker's live leases at the allocator, each as {@code <resource id>:<fencing token>}. */
    private static List<String> leases(String worker) {
        JsonNode answer = McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/leases?worker_id=" + worker, null)
                .body());
        List<String> out = new ArrayList<>();
        for (JsonNode lease : answer) {
            out.add(lease.path("resource_id").asText() + ":" + lease.path("fencing_token").asLong());
        }
        return out;
    }
}

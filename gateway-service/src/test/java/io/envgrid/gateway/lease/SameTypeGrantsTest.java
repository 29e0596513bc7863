package io.envgrid.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.sandbox.session.SandboxSessions;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker granted a second resource of a type it already holds (a Sandbox session's desktop, then an MCP
 * {@code allocate_single_resource} of the same type; two allocations through MCP): the allocator names both grants
 * {@code <type>} in its answers, and the worker's record keeps both. Was: the second grant's entry overwrote the first
 * in the record, so the gateway no longer knew the worker held the first resource: its calls were 404
 * {@code NO_SUCH_RESOURCE}, and its lease's end removed nothing and told no Sandbox session, which stayed on an ended
 * lease.
 */
@QuarkusTest
@WithCluster
class SameTypeGrantsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    WorkerResources resources;

    @Inject
    SandboxSessions sessions;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    private final String worker = "same-type-" + System.nanoTime();

    @Test
    void aSecondGrantOfATypeKeepsTheFirstRecorded() {
        record("{\"vm_same\": {\"id\": \"same-desktop-1\", \"fencing_token\": 7}}");
        record("{\"vm_same\": {\"id\": \"same-desktop-2\", \"fencing_token\": 3}}");

        assertEquals(Map.of("vm_same", "same-desktop-1", "vm_same#2", "same-desktop-2"), ids(),
                "each grant under its own allocation key");
        assertEquals("same-desktop-1", resources.pick(worker, "same-desktop-1", "desktop", t -> true)
                .await().atMost(Duration.ofSeconds(5)).path("id").asText(), "the first resource is still the worker's");

        // the same resource granted again (a newer token) replaces its own entry, wherever it is
        record("{\"vm_same\": {\"id\": \"same-desktop-2\", \"fencing_token\": 4}}");
        assertEquals(Map.of("vm_same", "same-desktop-1", "vm_same#2", "same-desktop-2"), ids());
        assertEquals(4, resources.pick(worker, "same-desktop-2", "desktop", t -> true)
                .await().atMost(Duration.ofSeconds(5)).path("fencing_token").asInt());
    }

    @Test
    void theFirstGrantsEndStillEndsItsSandboxSession() throws Exception {
        JsonNode first = JSON.readTree("{\"id\": \"same-desktop-3\", \"fencing_token\": 7}");
        resources.record(worker, JSON.createObjectNode().set("vm_same", first)).await().atMost(Duration.ofSeconds(5));
        ObjectNode session = JSON.createObjectNode().put("session_id", "vm_t").put("worker_id", worker)
                .put("resource_type", "vm").put("state", "ready");
        session.set("resource", first);
        sessions.claim(session).await().atMost(Duration.ofSeconds(5));
        assertEquals(SandboxSessions.Stored.STORED, sessions.store(session).await().atMost(Duration.ofSeconds(5)));
        record("{\"vm_same\": {\"id\": \"same-desktop-4\", \"fencing_token\": 2}}");

        redis.pubsub(String.class).publish(keys.allocatorExpiryChannels().get(0), "{\"resource_id\": \"same-desktop-3\", "
                + "\"type\": \"vm_same\", \"worker_id\": \"" + worker + "\", \"lease_id\": \"same-desktop-3:7\", "
                + "\"fencing_token\": 7, \"reason\": \"expired\"}");
        Conditions.await("the expiry of the first desktop's lease ended its session", Duration.ofSeconds(10),
                () -> sessions.find(worker, "vm").await().atMost(Duration.ofSeconds(5)).isEmpty());
        assertEquals(Map.of("vm_same#2", "same-desktop-4"), ids(), "the second grant stays");
    }

    @AfterEach
    void forgetTheWorker() {
        sessions.remove(worker, "vm").await().atMost(Duration.ofSeconds(5));
        resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
    }

    private void record(String allocation) {
        try {
            resources.record(worker, JSON.readTree(allocation)).await().atMost(Duration.ofSeconds(5));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Allocation key → resource id of the worker's record. */
    private Map<String, String> ids() {
        Map<String, String> ids = new TreeMap<>();
        resources.all(worker).await().atMost(Duration.ofSeconds(5)).forEach((key, entry) -> ids.put(key, entry.path("id").asText()));
        return ids;
    }
}

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
import org.junit.jupiter.api.Test;

/**
 * An ended lease leaves the worker's record by lease ({@code <resource id>:<fencing token>}), not by resource: when the
 * same resource was granted to the worker again (a retry after a failed allocation, whose grant the gateway then
 * settles in the background; or an expiry message arriving after the next grant), the newer grant stays recorded, and
 * the keep-alive goes on renewing it. Before, settling and expiries forgot every entry of the resource.
 */
@QuarkusTest
@WithCluster
class ForgetByLeaseTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    WorkerResources resources;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    @Inject
    SandboxSessions sessions;

    @Test
    void onlyTheEntryOfTheEndedLeaseIsForgotten() throws Exception {
        String worker = "forget-by-lease-" + System.nanoTime();
        // a resource id holding ':' itself, as the device agent's do, at its second grant (fencing token 6)
        JsonNode grant = JSON.readTree("{\"vm_forget\": {\"id\": \"agent:desktop-0\", \"fencing_token\": 6, "
                + "\"lease_id\": \"agent:desktop-0:6\"}, \"rag_forget\": {\"id\": \"rag-1\", \"fencing_token\": 3, "
                + "\"lease_id\": \"rag-1:3\"}}");
        resources.record(worker, grant).await().atMost(Duration.ofSeconds(5));
        try {
            // the first grant of the desktop (token 5) ends: the second stays, and so does the other resource
            resources.forgetLeases(worker, List.of("agent:desktop-0:5")).await().atMost(Duration.ofSeconds(5));
            assertEquals(List.of("rag_forget", "vm_forget"), keys(worker));

            resources.forgetLeases(worker, List.of("agent:desktop-0:6", "rag-1:2")).await().atMost(Duration.ofSeconds(5));
            assertEquals(List.of("rag_forget"), keys(worker), "the lease that ended goes; rag-1's older lease was not it");

            resources.forgetLeases(worker, List.of("rag-1:3")).await().atMost(Duration.ofSeconds(5));
            assertEquals(List.of(), keys(worker));
        } finally {
            resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
        }
    }

    /**
     * An expiry message of the resource's former lease (token 5) arriving after the worker was granted it again (token
     * 6) leaves the new grant recorded; a message for the other resource, sent after it, shows both were handled.
     */
    @Test
    void aLateExpiryMessageLeavesTheNewerGrantRecorded() throws Exception {
        String worker = "forget-expiry-" + System.nanoTime();
        resources.record(worker, JSON.readTree("{\"vm_forget\": {\"id\": \"agent:desktop-1\", \"fencing_token\": 6}, "
                + "\"rag_forget\": {\"id\": \"rag-2\", \"fencing_token\": 3}}")).await().atMost(Duration.ofSeconds(5));
        try {
            String channel = keys.allocatorExpiryChannels().get(0);
            redis.pubsub(String.class).publish(channel, expiry(worker, "agent:desktop-1", 5));
            redis.pubsub(String.class).publish(channel, expiry(worker, "rag-2", 3));
            Conditions.await("the expiry of rag-2's lease handled", Duration.ofSeconds(10),
                    () -> !keys(worker).contains("rag_forget"));
            assertEquals(List.of("vm_forget"), keys(worker), "the desktop's newer grant is still recorded");
        } finally {
            resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
        }
    }

    /**
     * The late expiry of the desktop's former lease (token 5) after the worker was granted it again (token 6) and opened
     * a Sandbox session on the new grant: the session and the record stay, while the other resource's expiry ends its
     * session. Was: every listener was told the resource ended whatever the record lost, and the Sandbox sessions,
     * matching by resource id, ended the new grant's session.
     */
    @Test
    void aLateExpiryLeavesTheNewerGrantsSandboxSessionAlone() throws Exception {
        String worker = "forget-session-" + System.nanoTime();
        JsonNode desktop = JSON.readTree("{\"id\": \"agent:desktop-3\", \"fencing_token\": 6}");
        JsonNode rag = JSON.readTree("{\"id\": \"rag-4\", \"fencing_token\": 3}");
        resources.record(worker, JSON.createObjectNode().<ObjectNode>set("vm_forget",
                desktop).set("rag_forget", rag)).await().atMost(Duration.ofSeconds(5));
        session(worker, "vm", desktop);
        session(worker, "rag", rag);
        try {
            String channel = keys.allocatorExpiryChannels().get(0);
            redis.pubsub(String.class).publish(channel, expiry(worker, "agent:desktop-3", 5));
            redis.pubsub(String.class).publish(channel, expiry(worker, "rag-4", 3));
            Conditions.await("the expiry of rag-4's lease ended its session", Duration.ofSeconds(10),
                    () -> sessions.find(worker, "rag").await().atMost(Duration.ofSeconds(5)).isEmpty());
            assertTrue(sessions.find(worker, "vm").await().atMost(Duration.ofSeconds(5)).isPresent(),
                    "the session of the desktop's newer grant is still there");
            assertEquals(List.of("vm_forget"), keys(worker), "the desktop's newer grant is still recorded");

            // told of the older grant directly, the sessions still keep the newer one; of that grant, it goes
            sessions.leaseEnded(worker, new EndedLease("agent:desktop-3", 5L)).await().atMost(Duration.ofSeconds(5));
            assertTrue(sessions.find(worker, "vm").await().atMost(Duration.ofSeconds(5)).isPresent());
            sessions.leaseEnded(worker, new EndedLease("agent:desktop-3", 6L)).await().atMost(Duration.ofSeconds(5));
            assertTrue(sessions.find(worker, "vm").await().atMost(Duration.ofSeconds(5)).isEmpty());
        } finally {
            sessions.remove(worker, "vm").await().atMost(Duration.ofSeconds(5));
            sessions.remove(worker, "rag").await().atMost(Duration.ofSeconds(5));
            resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
        }
    }

    /** A ready Sandbox session of {@code type} on the granted {@code resource}, as a create claims and stores it. */
    private void session(String worker, String type, JsonNode resource) {
        ObjectNode record = JSON.createObjectNode().put("session_id", type + "_t")
                .put("worker_id", worker).put("resource_type", type).put("state", "ready");
        record.set("resource", resource);
        sessions.claim(record).await().atMost(Duration.ofSeconds(5));
        sessions.store(record).await().atMost(Duration.ofSeconds(5));
    }

    private static String expiry(String worker, String resource, long fence) {
        return "{\"resource_id\": \"" + resource + "\", \"type\": \"t\", \"worker_id\": \"" + worker
                + "\", \"lease_id\": \"" + resource + ":" + fence + "\", \"fencing_token\": " + fence
                + ", \"reason\": \"expired\"}";
    }

    private List<String> keys(String worker) {
        Map<String, JsonNode> all = resources.all(worker).await().atMost(Duration.ofSeconds(5));
        return List.copyOf(all.keySet());
    }
}

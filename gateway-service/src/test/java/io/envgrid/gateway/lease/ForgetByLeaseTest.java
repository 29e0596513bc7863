package io.envgrid.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.redis.GatewayKeys;
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

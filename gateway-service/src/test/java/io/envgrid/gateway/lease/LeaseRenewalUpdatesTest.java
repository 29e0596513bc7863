package io.envgrid.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.McpStream;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A renewal's new terms reach {@code envgrid://worker/leases} ({@link WorkerResources#renewed}). Was: the worker's
 * record kept the grant's {@code expires_at} for ever, and no renewal told a subscribed session anything. Now the
 * record takes every renewal; {@code renew_resources} (the client asked) sends {@code notifications/resources/updated}
 * whenever it changed the record, the keep-alive only when a fencing token differs from the recorded one (README,
 * "Server features besides tools": one update per live worker per tick would be noise at scale).
 */
@QuarkusTest
@WithCluster
class LeaseRenewalUpdatesTest {

    private static final String TYPE = "vm_renewal";
    private static final String LEASES = "envgrid://worker/leases";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/mcp")
    URL mcp;

    @Inject
    WorkerResources resources;

    @Inject
    LeaseKeepAlive keepAlive;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    @Inject
    ReactiveRedisDataSource reactiveRedis;

    @Inject
    ObjectMapper json;

    @Inject
    WorkerActivities activities;

    @Test
    void renewResourcesUpdatesTheSubscribedSessionAndWhatItReads() {
        TestCluster.get().register("renewal-" + UUID.randomUUID(), TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "renewal-" + UUID.randomUUID();
        try (McpStream client = subscribedAndGranted(worker)) {
            JsonNode renewed = client.request("tools/call", "{\"name\":\"renew_resources\",\"arguments\":{\"timeout\":900}}");
            assertFalse(renewed.path("result").path("isError").asBoolean(true), renewed.toString());

            Conditions.await("the renewal's update", WAIT, () -> updates(client) >= 2);
            // awaited, not read once: the tests' keep-alive (every 2 s) may renew between the two reads
            Conditions.await("the leases resource shows the lease as renewed", WAIT, () -> {
                String read = client.request("resources/read", "{\"uri\":\"" + LEASES + "\"}")
                        .path("result").path("contents").path(0).path("text").asText();
                return allocatorExpiry(worker).equals(McpSteps.readTree(read).path("leases").path(TYPE).path("expires_at").asText());
            });
            client.request("tools/call", "{\"name\":\"release_batch_resources\",\"arguments\":{}}");
        }
    }

    @Test
    void theKeepAliveRecordsEachExtensionAndAnnouncesOnlyAnotherFencingToken() {
        TestCluster.get().register("renewal-" + UUID.randomUUID(), TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "renewal-" + UUID.randomUUID();
        try (McpStream client = subscribedAndGranted(worker)) {
            String granted = recorded(worker).path("expires_at").asText();

            runKeepAlive();
            Conditions.await("the keep-alive's expiry recorded", WAIT,
                    () -> allocatorExpiry(worker).equals(recorded(worker).path("expires_at").asText())
                            && !granted.equals(recorded(worker).path("expires_at").asText()));

            // a stale grant's fencing token in the record: the renewal corrects it and that is announced
            ObjectNode stale = ((ObjectNode) recorded(worker)).put("fencing_token", 0);
            redis.hash(String.class).hset(keys.workerResources(worker), TYPE, stale.toString());
            runKeepAlive();
            Conditions.await("the corrected fencing token's update", WAIT, () -> updates(client) >= 2);
            assertNotEquals(0, recorded(worker).path("fencing_token").asLong());
            assertEquals(2, updates(client), "the grant's and the fencing token's, none for the plain extension");
            client.request("tools/call", "{\"name\":\"release_batch_resources\",\"arguments\":{}}");
        }
    }

    /**
     * A renewal plans from this replica's copy of the record (one round trip); when the record has changed elsewhere
     * since (here a stale grant's fencing token, as another replica could have written it), the script writes
     * nothing, and the same renewal then reads the record and corrects it at once, a change it reports.
     */
    @Test
    void aRenewalOnAStaleCopyDecidesOnTheRecordAsItIs() {
        String worker = "copy-" + UUID.randomUUID();
        String key = keys.workerResources(worker);
        redis.hash(String.class).hset(key, TYPE, "{\"id\":\"r1\",\"type\":\"" + TYPE + "\",\"expires_at\":\"A\",\"fencing_token\":5}");
        // the first renewal reads the record, and keeps what it read and wrote as the copy
        assertEquals(WorkerResources.TermsChange.EXPIRY, resources.renewed(worker, renewal("B", 5)).await().atMost(WAIT));
        redis.hash(String.class).hset(key, TYPE, "{\"id\":\"r1\",\"type\":\"" + TYPE + "\",\"expires_at\":\"B\",\"fencing_token\":3}");

        assertEquals(WorkerResources.TermsChange.FENCING, resources.renewed(worker, renewal("C", 5)).await().atMost(WAIT));
        JsonNode entry = McpSteps.readTree(redis.hash(String.class).hget(key, TYPE));
        assertEquals(5, entry.path("fencing_token").asLong());
        assertEquals("C", entry.path("expires_at").asText());
        redis.key().del(key);
    }

    /**
     * Both renewals of a lease at one moment, {@code renew_resources} and the keep-alive, read the record; the
     * keep-alive's script writes first, so the other's compare-and-write finds the entry changed and writes nothing.
     * Was: that counted as nothing to do: {@code renew_resources} answered NONE (no update reached the subscribed
     * session, the flake of {@link #renewResourcesUpdatesTheSubscribedSessionAndWhatItReads}) and the record kept the
     * keep-alive's expiry. Driven here: the keep-alive's write lands right after this renewal's read.
     */
    @Test
    void aRenewalOvertakenBetweenItsReadAndItsWriteDecidesAgainOnTheRecord() {
        String worker = "race-" + UUID.randomUUID();
        String key = keys.workerResources(worker);
        redis.hash(String.class).hset(key, TYPE, "{\"id\":\"r1\",\"type\":\"" + TYPE + "\",\"expires_at\":\"A\",\"fencing_token\":5}");
        String keepAlives = "{\"id\":\"r1\",\"type\":\"" + TYPE + "\",\"expires_at\":\"B\",\"fencing_token\":5}";
        AtomicBoolean overtaken = new AtomicBoolean();
        WorkerResources overtakenOnce = new WorkerResources(reactiveRedis, json, keys, activities) {
            @Override
            Uni<Map<String, String>> read(String workerId) {
                return super.read(workerId).call(raw -> overtaken.compareAndSet(false, true)
                        ? reactiveRedis.hash(String.class).hset(key, TYPE, keepAlives)
                        : Uni.createFrom().voidItem());
            }
        };

        assertEquals(WorkerResources.TermsChange.EXPIRY, overtakenOnce.renewed(worker, renewal("C", 5)).await().atMost(WAIT));
        assertTrue(overtaken.get());
        assertEquals("C", McpSteps.readTree(redis.hash(String.class).hget(key, TYPE)).path("expires_at").asText());
        redis.key().del(key);
    }

    /** An allocator {@code /renew} answer renewing lease {@code r1}. */
    private static JsonNode renewal(String expiresAt, long fencingToken) {
        return McpSteps.readTree("{\"status\":\"ok\",\"details\":{\"r1\":{\"status\":\"renewed\",\"expires_at\":\""
                + expiresAt + "\",\"fencing_token\":" + fencingToken + "}}}");
    }

    /** A session on its standalone stream, subscribed to its worker's leases, bound to it by a grant (one update). */
    private McpStream subscribedAndGranted(String worker) {
        McpStream client = McpStream.initialize(mcp.toString()).openStream(mcp.toString());
        client.request("resources/subscribe", "{\"uri\":\"" + LEASES + "\"}");
        JsonNode granted = client.request("tools/call", "{\"name\":\"allocate_single_resource\",\"arguments\":{"
                + "\"worker_id\":\"" + worker + "\",\"resource_type\":\"" + TYPE + "\",\"timeout\":60}}");
        assertFalse(granted.path("result").path("isError").asBoolean(true), granted.toString());
        Conditions.await("the grant's update", WAIT, () -> updates(client) >= 1);
        return client;
    }

    /** One keep-alive round now: the lock a periodic round may hold is dropped first. */
    private void runKeepAlive() {
        redis.key().del(keys.keepaliveLock());
        keepAlive.keepAlive();
    }

    private JsonNode recorded(String worker) {
        Map<String, JsonNode> all = resources.all(worker).await().atMost(WAIT);
        return all.get(TYPE);
    }

    /** The allocator's expiry of the lease the worker's record holds (any free resource of the type may be granted). */
    private String allocatorExpiry(String worker) {
        String resourceId = recorded(worker).path("id").asText();
        for (JsonNode lease : TestCluster.get().leasesOf(worker)) {
            if (resourceId.equals(lease.path("resource_id").asText())) {
                return lease.path("expires_at").asText();
            }
        }
        throw new AssertionError(resourceId + " is not leased to " + worker);
    }

    private static long updates(McpStream client) {
        return client.received().stream().filter(McpStream.message("notifications/resources/updated", LEASES)).count();
    }
}

package io.envgrid.allocator.redis;

import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.cell.Cells;
import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.RawRedis;
import io.envgrid.allocator.support.ReplicatedRedisTestResource;
import io.envgrid.allocator.support.WithRedisReplica;
import io.envgrid.testsupport.redis.Resp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code envgrid.allocator.redis.wait-replicas=1}: a replay of a {@code request_id} whose grant the master applied
 * through another connection (a call answered 503 {@code REPLICATION_TIMEOUT}, another allocator replica) is
 * answered only once the replica holds that grant: the replay writes, so the {@code WAIT} after it covers the grant
 * even on a server whose {@code WAIT} counts only its own connection's replicated writes (where a replay that wrote
 * nothing is answered 200 at once). The replica's {@code MONITOR} feed shows each replay applied as a write.
 */
@QuarkusTest
@WithRedisReplica
@TestProfile(ReplayWaitTest.WaitForOneNoReaper.class)
class ReplayWaitTest {

    private static final String TYPE = "replaywait";
    private static final String WORKER = "w-replay";
    private static final String REQUEST_ID = "rr-1";

    /**
     * As {@link ReplicaWaitTest.WaitForOne}, without reaper runs: each run writes through a pooled connection, and
     * a write after the grant on the connection the replay then gets would make its WAIT cover the grant anyway.
     */
    public static class WaitForOneNoReaper implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.allocator.redis.wait-replicas", "1", "envgrid.allocator.redis.wait-timeout", "500ms",
                    "envgrid.allocator.reap-interval", "1h");
        }
    }

    @Inject
    AllocatorConfig config;

    @Inject
    Cells cells;

    private static Object replicaHolder(String id) {
        return Resp.call(ReplicatedRedisTestResource.replica().port(), "HGET", "{envgrid}:r:" + id, "worker");
    }

    /** allocate.lua run on a connection of the test's own, not the allocator's: returns its answer. */
    private JsonNode allocateOnOwnConnection() throws Exception {
        List<String> command = new ArrayList<>(List.of("EVAL",
                ScriptSource.of(AllocatorScript.ALLOCATE, config.eventsMaxLength(), config.fencing()).source(), "1",
                cells.defaultCell().keys().prefix(), WORKER, "60000", REQUEST_ID, "", "0",
                "elt_" + UUID.randomUUID().toString().replace("-", ""),
                Long.toString(config.requestIdRetention().toMillis()), "replay-wait-test", TYPE));
        return new ObjectMapper().readTree((String) Resp.call(ReplicatedRedisTestResource.master().port(),
                command.toArray(String[]::new)));
    }

    /** How many commands of the replica's {@code MONITOR} feed (what it applied from the master) name {@code key}. */
    private static long writesOf(RawRedis feed, String key) {
        return feed.received().lines().filter(line -> line.contains("\"" + key + "\"")).count();
    }

    @Test
    void aReplayWaitsForTheReplicaToHoldTheGrantItReplays() throws Exception {
        post("/resources", Map.of("id", "rw-1", "type", TYPE)).statusCode(201);
        int replica = ReplicatedRedisTestResource.replica().port();
        String keptAnswer = cells.defaultCell().keys().prefix() + "req:" + REQUEST_ID;
        // Connected but applying (and acknowledging) nothing from the master.
        Resp.call(replica, "CLIENT", "PAUSE", "60000", "WRITE");
        try (RawRedis feed = RawRedis.open(replica).send("MONITOR")) {
            JsonNode granted = allocateOnOwnConnection();
            assertEquals("granted", granted.path("status").asText(), granted.toString());
            String leaseId = granted.path("grants").get(0).path("lease_id").asText();

            Map<String, Object> request = Map.of("worker_id", WORKER, "resource_types", List.of(TYPE), "timeout", 60,
                    "request_id", REQUEST_ID);
            expectError(post("/allocate", request), 503, "REPLICATION_TIMEOUT");
            assertNull(replicaHolder("rw-1"), "the replica applied nothing while paused");

            Resp.call(replica, "CLIENT", "UNPAUSE");
            Conditions.await(() -> WORKER.equals(replicaHolder("rw-1")), "the replica holds the grant");
            ExtractableResponse<Response> replay = post("/allocate", request).statusCode(200).extract();
            assertEquals("true", replay.header("X-Envgrid-Replayed"));
            assertEquals(leaseId, replay.path(TYPE + ".lease_id"));
            // Why the replays waited, whichever Redis runs this: each is a write the replica applies after the grant
            // (the grant writes the kept answer once). The Redis 7.0 of these tests also lets a WAIT after a read-only
            // script cover other connections' writes; a server whose WAIT counts only its connection's replicated
            // writes does not, and there a replay that wrote nothing would be a 200 above.
            Conditions.await(() -> writesOf(feed, keptAnswer) >= 3, "the grant and both replays applied on the replica");
        } finally {
            Resp.call(replica, "CLIENT", "UNPAUSE");
        }
    }
}

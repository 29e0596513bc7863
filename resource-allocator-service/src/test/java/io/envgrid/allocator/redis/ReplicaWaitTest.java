package io.envgrid.allocator.redis;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.release;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.ReplicatedRedisTestResource;
import io.envgrid.allocator.support.WithRedisReplica;
import io.envgrid.testsupport.redis.Resp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code envgrid.allocator.redis.wait-replicas=1} (issue 15): a grant, a release and a waiter's grant are answered
 * once the replica holds them; without the replica's acknowledgement the caller gets a retryable 503
 * {@code REPLICATION_TIMEOUT}, and a retry with the same {@code request_id} replays the grant the master kept.
 */
@QuarkusTest
@WithRedisReplica
@TestProfile(ReplicaWaitTest.WaitForOne.class)
class ReplicaWaitTest {

    public static class WaitForOne implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.allocator.redis.wait-replicas", "1", "envgrid.allocator.redis.wait-timeout", "500ms");
        }
    }

    /** The replica's copy of a resource's current holder (what a failover to it would keep). */
    private static Object replicaHolder(String id) {
        return Resp.call(ReplicatedRedisTestResource.replica().port(), "HGET", "{envgrid}:r:" + id, "worker");
    }

    @Test
    void answersWaitForTheReplicaAndItsAbsenceIsARetryable503() throws Exception {
        post("/resources", Map.of("id", "vm-1", "type", "vm")).statusCode(201);
        allocate("w1", List.of("vm"), 60).statusCode(200);
        // Answered only after the replica acknowledged: it already holds the lease, no waiting here.
        assertEquals("w1", replicaHolder("vm-1"));

        // A waiter parked on the pool is granted by w1's release; its answer waits for the replica too.
        CompletableFuture<ExtractableResponse<Response>> waiter = CompletableFuture.supplyAsync(() -> post("/allocate",
                Map.of("worker_id", "w2", "resource_types", List.of("vm"), "wait_ms", 30000)).extract());
        io.envgrid.allocator.support.Conditions.await(() -> !Resp.call(ReplicatedRedisTestResource.replica().port(), "KEYS",
                "{envgrid}:q:vm").toString().equals("[]"), "the waiter queued");
        release("w1", "vm-1").statusCode(200);
        assertEquals(200, waiter.get().statusCode(), waiter.get().asString());
        assertEquals("w2", replicaHolder("vm-1"));
        release("w2", "vm-1").statusCode(200);

        ReplicatedRedisTestResource.replica().stopServer();
        try {
            Map<String, Object> request = Map.of("worker_id", "w3", "resource_types", List.of("vm"), "request_id", "r-1");
            expectError(post("/allocate", request), 503, "REPLICATION_TIMEOUT")
                    .body("error.details.required", equalTo(1)).body("error.details.acknowledged", equalTo(0));
            ReplicatedRedisTestResource.replica().startServer();
            ReplicatedRedisTestResource.awaitReplicaInSync();
            // The master applied the grant it could not get acknowledged: the retry replays it, now replicated.
            ExtractableResponse<Response> retry = post("/allocate", request).statusCode(200).extract();
            assertEquals("true", retry.header("X-Envgrid-Replayed"));
            assertTrue(retry.<String>path("vm.id").equals("vm-1"));
            assertEquals("w3", replicaHolder("vm-1"));
        } finally {
            ReplicatedRedisTestResource.replica().startServer();
        }
    }
}

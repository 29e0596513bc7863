package io.envgrid.vmcontroller.session;

import static io.envgrid.vmcontroller.support.Api.expectError;
import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.testsupport.redis.Resp;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.LeaseRecords;
import io.envgrid.vmcontroller.support.ReplicatedRedisTestResource;
import io.envgrid.vmcontroller.support.WithRedisReplica;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code envgrid.vm-controller.redis.wait-replicas=1}: {@code POST /sessions} answers once the replica holds the
 * session, so a failover to it keeps every session the controller confirmed; with the replica gone the answer is a
 * retryable 503 {@code REPLICATION_TIMEOUT}, and the same request once the replica is back returns the session the
 * master kept. The default (0) is {@link ReplicaWaitOffTest}.
 */
@QuarkusTest
@WithRedisReplica
@TestProfile(ReplicaWaitTest.WaitForOne.class)
class ReplicaWaitTest {

    public static class WaitForOne implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.vm-controller.redis.wait-replicas", "1",
                    // past the replica's lag in anOpenedSessionIsOnTheReplicaWhenAnswered, under redis-timeout (5 s)
                    "envgrid.vm-controller.redis.wait-timeout", "2500ms");
        }
    }

    @Inject
    RedisDataSource redis;

    private String worker;
    private String resource;
    private LeaseRecords.Grant grant;

    @BeforeEach
    void grant() {
        LeaseRecords leases = new LeaseRecords(redis);
        worker = "worker-" + UUID.randomUUID();
        resource = "vm-" + UUID.randomUUID();
        // No VM is called: opening a session reads only the lease record.
        leases.registerVm(resource, 5000);
        grant = leases.grant(resource, worker);
    }

    @AfterEach
    void replicaBack() {
        ReplicatedRedisTestResource.startReplica();
    }

    @Test
    void anOpenedSessionIsOnTheReplicaWhenAnswered() {
        // The replica lags for a second (shorter than wait-timeout): the answer must wait for it.
        ReplicatedRedisTestResource.pauseReplicaWrites(Duration.ofSeconds(1));
        Api.open(worker, grant.entry()).statusCode(201).body("lease_id", equalTo(grant.leaseId()));
        // Read at once, without waiting: the answer came only after the replica acknowledged.
        assertEquals("active", onReplica("state"));
        assertEquals(grant.leaseId(), onReplica("lease_id"));

        Api.open(worker, grant.entry()).statusCode(200).body("lease_id", equalTo(grant.leaseId()));
        Api.get(grant.leaseToken(), worker, resource).statusCode(200).body("state", equalTo("active"));
    }

    @Test
    void withoutTheReplicaTheOpeningIsARetryable503AndTheRetryReturnsTheSessionTheMasterKept() {
        ReplicatedRedisTestResource.stopReplica();
        // A refusal confirms nothing and does not wait: answered as without replicas.
        Map<String, Object> guessed = new HashMap<>(grant.entry());
        guessed.put("lease_token", "elt_guessed0000000000000000");
        expectError(Api.open(worker, guessed), 409, "LEASE_NOT_LIVE");

        expectError(Api.open(worker, grant.entry()), 503, "REPLICATION_TIMEOUT")
                .body("error.details.acknowledged", equalTo(0))
                .body("error.details.required", equalTo(1));
        // The master applied the opening it could not get confirmed.
        String createdAt = redis.hash(String.class).hget(sessionKey(), "created_at");
        assertEquals("active", redis.hash(String.class).hget(sessionKey(), "state"));

        ReplicatedRedisTestResource.startReplica();
        Api.open(worker, grant.entry()).statusCode(200)
                .body("lease_id", equalTo(grant.leaseId()))
                .body("state", equalTo("active"))
                .body("created_at", equalTo(createdAt));
        assertEquals(grant.leaseId(), onReplica("lease_id"));
        assertEquals(createdAt, onReplica("created_at"));
        Api.get(grant.leaseToken(), worker, resource).statusCode(200).body("created_at", equalTo(createdAt));
    }

    @Test
    void theAnswerToARepeatedOpeningWaitsForTheReplicaToo() {
        Api.open(worker, grant.entry()).statusCode(201);
        ReplicatedRedisTestResource.stopReplica();
        // Its 200 would promise what a 201 promises; the replica cannot confirm it now.
        expectError(Api.open(worker, grant.entry()), 503, "REPLICATION_TIMEOUT")
                .body("error.details.acknowledged", equalTo(0));
        ReplicatedRedisTestResource.startReplica();
        Api.open(worker, grant.entry()).statusCode(200).body("lease_id", equalTo(grant.leaseId()));
    }

    @Test
    void theOpenApiDocumentShowsThe503WithAnExample() {
        JsonObject doc = new JsonObject(get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        JsonObject unavailable = doc.getJsonObject("paths").getJsonObject("/sessions").getJsonObject("post")
                .getJsonObject("responses").getJsonObject("503");
        assertTrue(unavailable.getString("description").contains("REPLICATION_TIMEOUT"), unavailable.encode());
        String example = unavailable.getJsonObject("content").getJsonObject("application/json")
                .getJsonObject("examples").getJsonObject("replicas behind").getValue("value").toString();
        assertTrue(example.contains("REPLICATION_TIMEOUT") && example.contains("acknowledged"), example);
    }

    private String sessionKey() {
        return LeaseRecords.PREFIX + "vmc:session:" + worker + ":" + resource;
    }

    private Object onReplica(String field) {
        return Resp.call(ReplicatedRedisTestResource.replicaPort(), "HGET", sessionKey(), field);
    }
}

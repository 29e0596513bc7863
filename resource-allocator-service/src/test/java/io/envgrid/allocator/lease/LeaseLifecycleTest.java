package io.envgrid.allocator.lease;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.registerPool;
import static io.envgrid.allocator.support.Api.release;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithRedis
class LeaseLifecycleTest extends CleanRedis {

    @Inject
    ReactiveRedisDataSource reactiveRedis;

    @Inject
    ObjectMapper json;

    @Test
    void holderReleasesAndASecondReleaseIsHarmless() {
        registerPool("rag", 1);
        allocate("w1", List.of("rag"), 60).statusCode(200);
        release("w1", "rag-1").statusCode(200)
                .body("status", equalTo("completed")).body("details.rag-1", equalTo("released"));
        release("w1", "rag-1").statusCode(200).body("details.rag-1", equalTo("already_released"));
        Api.stats().body("types.rag.free", equalTo(1));
    }

    @Test
    void anotherWorkersLeaseIsForbiddenAndUntouched() {
        registerPool("rag", 2);
        allocate("owner", List.of("rag", "rag"), 60).statusCode(200);
        expectError(release("thief", "rag-1"), 403, "NOT_LEASE_HOLDER");
        // one cell: refused whole by its script, so "nothing was changed" is true and nothing is listed as applied
        expectError(post("/release/batch", Map.of("worker_id", "thief", "resource_ids", List.of("rag-1", "rag-2"))),
                403, "NOT_LEASE_HOLDER").body("error.message", org.hamcrest.Matchers.endsWith("nothing was changed"))
                .body("error.details.applied", equalTo(Map.of()));
        expectError(post("/renew", Map.of("worker_id", "thief", "resource_ids", List.of("rag-2"), "timeout", 5)),
                403, "NOT_LEASE_HOLDER").body("error.details.applied", equalTo(Map.of()));
        given().get("/leases?worker_id=owner").then().statusCode(200).body("$", hasSize(2));
    }

    @Test
    void unknownResourceOnSingleReleaseIs404() {
        expectError(release("w1", "no-such"), 404, "RESOURCE_NOT_FOUND");
    }

    @Test
    void batchReleaseReportsEachResource() {
        registerPool("rag", 3);
        allocate("w1", List.of("rag", "rag"), 60).statusCode(200);
        post("/release/batch", Map.of("worker_id", "w1", "resource_ids", List.of("rag-1", "rag-2", "rag-3", "ghost")))
                .statusCode(200)
                .body("details.rag-1", equalTo("released"))
                .body("details.rag-2", equalTo("released"))
                .body("details.rag-3", equalTo("already_released"))
                .body("details.ghost", equalTo("not_found"));
        Api.stats().body("types.rag.free", equalTo(3));
    }

    @Test
    void releaseWorkerFreesEverythingItHolds() {
        registerPool("vm", 2);
        registerPool("rag", 1);
        allocate("w1", List.of("vm", "rag"), 60).statusCode(200);
        allocate("w2", List.of("vm"), 60).statusCode(200);
        post("/release/worker", Map.of("worker_id", "w1")).statusCode(200)
                .body("details.keySet()", containsInAnyOrder("vm-1", "rag-1"));
        given().get("/leases").then().statusCode(200).body("$", hasSize(1)).body("[0].worker_id", equalTo("w2"));
    }

    @Test
    void expiredLeaseIsReclaimedWithinTwoSecondsAndPublished() throws Exception {
        registerPool("rag", 1);
        BlockingQueue<String> expired = new LinkedBlockingQueue<>();
        reactiveRedis.pubsub(String.class).subscribe("{envgrid}:ch:expired", expired::add).await().indefinitely();
        String expiresAt = allocate("crashed", List.of("rag"), 1).statusCode(200).extract().path("rag.expires_at");

        String message = expired.poll(5, TimeUnit.SECONDS);
        Instant reclaimedBy = Instant.now();
        JsonNode event = json.readTree(message);
        assertEquals("rag-1", event.path("resource_id").asText());
        assertEquals("crashed", event.path("worker_id").asText());
        assertEquals("expired", event.path("reason").asText());
        assertTrue(Duration.between(Instant.parse(expiresAt), reclaimedBy).toMillis() < 2_000,
                "reclaimed within 2 s of expiry");
        Api.stats().body("types.rag.free", equalTo(1));
        release("crashed", "rag-1").statusCode(200).body("details.rag-1", equalTo("already_released"));
        allocate("next", List.of("rag"), 60).statusCode(200).body("rag.fencing_token", equalTo(2));
    }

    @Test
    void renewalKeepsALeasePastItsFirstTimeout() {
        registerPool("rag", 1);
        String first = allocate("w1", List.of("rag"), 1).statusCode(200).extract().path("rag.expires_at");
        String renewed = post("/renew", Map.of("worker_id", "w1", "timeout", 30)).statusCode(200)
                .body("details.rag-1.status", equalTo("renewed"))
                .body("details.rag-1.fencing_token", equalTo(1))
                .extract().path("details.rag-1.expires_at");
        assertTrue(Instant.parse(renewed).isAfter(Instant.parse(first).plusSeconds(20)));
        Conditions.await(() -> Instant.now().isAfter(Instant.parse(first).plusMillis(800)), "first expiry passes");
        Conditions.await(() -> Instant.now().isAfter(Instant.parse(first).plusMillis(1_200)), "reaper runs after it");
        given().get("/leases?worker_id=w1").then().body("$", hasSize(1));
    }

    @Test
    void renewingAnExpiredLeaseSaysItIsNoLongerHeld() {
        registerPool("rag", 1);
        allocate("w1", List.of("rag"), 1).statusCode(200);
        Conditions.await(() -> given().get("/leases?worker_id=w1").then().extract().<List<?>>path("$").isEmpty(),
                "lease reclaimed");
        post("/renew", Map.of("worker_id", "w1", "resource_ids", List.of("rag-1"), "timeout", 30)).statusCode(200)
                .body("details.rag-1.status", equalTo("not_held"));
    }
}

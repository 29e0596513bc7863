package io.envgrid.allocator.inventory;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.release;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A reset that is owed (lib.lua I7) ends only with its owner's {@code done}: no other path — delete and
 * re-registration, re-registration without the flag, heartbeat, undrain, the reaper — hands the resource to
 * the next worker dirty (issues 11 and 13).
 */
@QuarkusTest
@WithRedis
class OwedResetTest extends CleanRedis {

    @Inject
    ReactiveRedisDataSource reactiveRedis;

    @Inject
    ObjectMapper json;

    private static ValidatableResponse register(String id, boolean reset, int heartbeatTtl) {
        return post("/resources", Map.of("id", id, "type", "vm", "endpoint", Map.of("port", 5000), "reset", reset,
                "heartbeat_ttl", heartbeatTtl));
    }

    private static ValidatableResponse report(String id, long token) {
        return post("/resources/" + id + "/reset", Map.of("fencing_token", token, "outcome", "done"));
    }

    private static String state(String id) {
        return given().get("/resources/" + id).then().statusCode(200).extract().path("state");
    }

    /** Registers a resource with reset, leases and releases it: resetting after the returned token. */
    private static long leasedAndReleased(String id) {
        register(id, true, 0).statusCode(201);
        long token = allocate("w1", List.of("vm"), 60).statusCode(200).extract().<Number>path("vm.fencing_token").longValue();
        release("w1", id).statusCode(200);
        assertEquals("resetting", state(id));
        return token;
    }

    @Test
    void aPlainDeleteWhileResettingIs409AndChangesNothing() {
        long token = leasedAndReleased("vm-1");
        Map<String, String> before = keyspace();
        expectError(given().delete("/resources/vm-1").then(), 409, "RESOURCE_RESETTING")
                .body("error.details.fencing_token", equalTo((int) token));
        assertEquals(before, keyspace(), "a refused delete wrote to Redis");
    }

    @Test
    void aForcedDeleteWhileResettingThenReRegistrationStartsTheSameResetAgainAndTellsTheOwner() throws Exception {
        long token = leasedAndReleased("vm-1");
        given().delete("/resources/vm-1?force=true").then().statusCode(200);
        BlockingQueue<String> published = new LinkedBlockingQueue<>();
        reactiveRedis.pubsub(String.class).subscribe("{envgrid}:ch:expired", published::add).await().indefinitely();

        register("vm-1", true, 0).statusCode(201).body("state", equalTo("resetting")).body("fencing_token", equalTo((int) token));
        JsonNode message = json.readTree(published.poll(5, TimeUnit.SECONDS));
        assertEquals("reset", message.path("reason").asText());
        assertEquals(token, message.path("fencing_token").asLong());
        expectError(allocate("w2", List.of("vm"), 60), 409, "INSUFFICIENT_RESOURCES");

        report("vm-1", token).statusCode(200).body("state", equalTo("free"));
        allocate("w2", List.of("vm"), 60).statusCode(200).body("vm.fencing_token", equalTo((int) token + 1));
    }

    @Test
    void noOtherPathMakesAResettingResourceFree() {
        register("vm-1", true, 60).statusCode(201);
        long token = allocate("w1", List.of("vm"), 60).statusCode(200).extract().<Number>path("vm.fencing_token").longValue();
        release("w1", "vm-1").statusCode(200);

        given().put("/resources/vm-1/heartbeat").then().statusCode(200);
        post("/resources/vm-1/drain", Map.of()).statusCode(200);
        post("/resources/vm-1/undrain", Map.of()).statusCode(200).body("state", equalTo("resetting"));
        // Re-registered without the flag (an owner that no longer resets): the reset already owed still is.
        register("vm-1", false, 60).statusCode(200).body("state", equalTo("resetting")).body("reset", equalTo(false));
        awaitReaperRuns(3);
        assertEquals("resetting", state("vm-1"));
        expectError(allocate("w2", List.of("vm"), 60), 409, "INSUFFICIENT_RESOURCES");

        report("vm-1", token).statusCode(200).body("state", equalTo("free"));
        // Without the flag now, the next lease's end frees it at once.
        allocate("w2", List.of("vm"), 60).statusCode(200);
        release("w2", "vm-1").statusCode(200);
        assertEquals("free", state("vm-1"));
    }

    @Test
    void aForcedDeleteOfALeasedResourceOwesTheRevokedLeasesReset() {
        register("vm-1", true, 0).statusCode(201);
        long token = allocate("w1", List.of("vm"), 60).statusCode(200).extract().<Number>path("vm.fencing_token").longValue();
        given().delete("/resources/vm-1?force=true").then().statusCode(200);
        register("vm-1", true, 0).statusCode(201).body("state", equalTo("resetting")).body("fencing_token", equalTo((int) token));
    }

    /** Waits until this replica's reaper has run {@code runs} more times (its liveness deadline moves each run). */
    private void awaitReaperRuns(int runs) {
        Set<Double> deadlines = new HashSet<>();
        Conditions.await(() -> {
            redis.sortedSet(String.class).zrangeWithScores("{envgrid}:replicas", 0, 0)
                    .forEach(replica -> deadlines.add(replica.score()));
            return deadlines.size() > runs;
        }, runs + " reaper runs");
    }
}

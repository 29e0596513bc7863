package io.envgrid.allocator.inventory;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.release;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Resources registered with {@code reset}: every way a lease ends, the reset report and its refusals. */
@QuarkusTest
@WithRedis
class ResetTest extends CleanRedis {

    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool();

    @Inject
    ReactiveRedisDataSource reactiveRedis;

    @Inject
    ObjectMapper json;

    static ValidatableResponse registerResetting(String id, String type) {
        return post("/resources", Map.of("id", id, "type", type, "endpoint", Map.of("port", 5000), "reset", true));
    }

    static ValidatableResponse report(String id, long fencingToken, String outcome, String reason) {
        Map<String, Object> body = new HashMap<>(Map.of("fencing_token", fencingToken, "outcome", outcome));
        if (reason != null) {
            body.put("reason", reason);
        }
        return post("/resources/" + id + "/reset", body);
    }

    private static long lease(String worker, String type) {
        return allocate(worker, List.of(type), 60).statusCode(200).extract().<Number>path(type + ".fencing_token").longValue();
    }

    private static String state(String id) {
        return given().get("/resources/" + id).then().statusCode(200).extract().path("state");
    }

    @Test
    void resourceWithoutTheFlagIsFreeAfterReleaseAsBefore() {
        Api.register("rag-1", "rag").statusCode(201).body("reset", equalTo(false));
        long token = lease("w1", "rag");
        release("w1", "rag-1").statusCode(200).body("details.rag-1", equalTo("released"));
        assertEquals("free", state("rag-1"));
        expectError(report("rag-1", token, "done", null), 409, "NOT_RESETTING");
    }

    @Test
    void releaseLeavesItResettingPublishedAndNotAllocatable() throws Exception {
        registerResetting("vm-1", "vm").statusCode(201).body("reset", equalTo(true)).body("state", equalTo("free"));
        BlockingQueue<String> published = new LinkedBlockingQueue<>();
        reactiveRedis.pubsub(String.class).subscribe("{envgrid}:ch:expired", published::add).await().indefinitely();
        String leaseId = allocate("w1", List.of("vm"), 60).statusCode(200).extract().path("vm.lease_id");
        long token = Long.parseLong(leaseId.substring(leaseId.lastIndexOf(':') + 1));

        release("w1", "vm-1").statusCode(200).body("details.vm-1", equalTo("released"));

        JsonNode message = json.readTree(published.poll(5, TimeUnit.SECONDS));
        assertEquals("reset", message.path("reason").asText());
        assertEquals("vm-1", message.path("resource_id").asText());
        assertEquals("w1", message.path("worker_id").asText());
        assertEquals(leaseId, message.path("lease_id").asText());
        assertEquals(token, message.path("fencing_token").asLong());
        assertEquals("resetting", state("vm-1"));
        Api.stats().body("types.vm.resetting", equalTo(1)).body("types.vm.free", equalTo(0))
                .body("total.resetting", equalTo(1));
        given().get("/resources?state=resetting").then().statusCode(200).body("$", hasSize(1));
        expectError(allocate("w2", List.of("vm"), 60), 409, "INSUFFICIENT_RESOURCES");
        release("w1", "vm-1").statusCode(200).body("details.vm-1", equalTo("already_released"));
    }

    @Test
    void doneMakesItFreeAndServesTheWaiterWithTheNextToken() throws Exception {
        registerResetting("vm-1", "vm");
        long token = lease("w1", "vm");
        release("w1", "vm-1").statusCode(200);
        CompletableFuture<ExtractableResponse<Response>> waiter = CompletableFuture.supplyAsync(() ->
                post("/allocate", Map.of("worker_id", "w2", "resource_types", List.of("vm"), "wait_ms", 10_000))
                        .extract(), CLIENTS);
        Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:q:vm") == 1, "the waiter queued");
        // A heartbeat or a re-registration of a resetting resource does not hand it out.
        given().put("/resources/vm-1/heartbeat").then().statusCode(200);
        registerResetting("vm-1", "vm").statusCode(200).body("state", equalTo("resetting"));
        assertEquals(1, redis.sortedSet(String.class).zcard("{envgrid}:q:vm"), "the waiter was served while resetting");

        report("vm-1", token, "done", null).statusCode(200).body("state", equalTo("leased"));

        ExtractableResponse<Response> granted = waiter.get(10, TimeUnit.SECONDS);
        assertEquals(200, granted.statusCode());
        assertEquals(token + 1, granted.<Number>path("vm.fencing_token").longValue());
        release("w2", "vm-1").statusCode(200);
        assertEquals("resetting", state("vm-1"));
        report("vm-1", token + 1, "done", null).statusCode(200).body("state", equalTo("free"));
        Api.stats().body("types.vm.free", equalTo(1)).body("types.vm.resetting", equalTo(0));
    }

    @Test
    void aStaleOrWrongTokenIs409AndChangesNothing() {
        registerResetting("vm-1", "vm");
        long first = lease("w1", "vm");
        release("w1", "vm-1");
        report("vm-1", first, "done", null).statusCode(200);
        long second = lease("w2", "vm");
        release("w2", "vm-1");
        Map<String, String> before = keyspace();

        expectError(report("vm-1", first, "done", null), 409, "STALE_FENCING_TOKEN")
                .body("error.details.resetting_fencing_token", equalTo((int) second));
        expectError(report("vm-1", second + 1, "failed", "no"), 409, "STALE_FENCING_TOKEN");

        assertEquals(before, keyspace());
        assertEquals("resetting", state("vm-1"));
    }

    @Test
    void aReportForAResourceNotResettingIs409AndUnknownIs404() {
        registerResetting("vm-1", "vm");
        expectError(report("vm-1", 1, "done", null), 409, "NOT_RESETTING");
        long token = lease("w1", "vm");
        expectError(report("vm-1", token, "done", null), 409, "NOT_RESETTING");
        assertEquals("leased", state("vm-1"));
        expectError(report("ghost", 1, "done", null), 404, "RESOURCE_NOT_FOUND");
    }

    @Test
    void failedTakesItDownWithTheReasonAndAReRegistrationStartsTheResetAgain() {
        registerResetting("vm-1", "vm");
        long token = lease("w1", "vm");
        release("w1", "vm-1");

        report("vm-1", token, "failed", "display did not restart").statusCode(200)
                .body("state", equalTo("down")).body("down_reason", equalTo("display did not restart"));
        given().put("/resources/vm-1/heartbeat").then().statusCode(200);
        assertEquals("down", state("vm-1"));
        expectError(allocate("w2", List.of("vm"), 60), 409, "INSUFFICIENT_RESOURCES");
        expectError(report("vm-1", token, "done", null), 409, "NOT_RESETTING");

        // The owner re-registering does not vouch for a clean desktop: the reset is owed until reported done.
        registerResetting("vm-1", "vm").statusCode(200).body("state", equalTo("resetting"))
                .body("fencing_token", equalTo((int) token)).body("down_reason", nullValue());
        expectError(allocate("w2", List.of("vm"), 60), 409, "INSUFFICIENT_RESOURCES");
        report("vm-1", token, "done", null).statusCode(200).body("state", equalTo("free"));
        lease("w2", "vm");
    }

    @Test
    void failedWithoutAReasonGetsADefaultOne() {
        registerResetting("vm-1", "vm");
        long token = lease("w1", "vm");
        release("w1", "vm-1");
        report("vm-1", token, "failed", null).statusCode(200).body("down_reason", equalTo("reset failed"));
    }

    @Test
    void batchAndWorkerReleasesLeaveEveryFlaggedResourceResetting() {
        registerResetting("vm-1", "vm");
        registerResetting("vm-2", "vm");
        registerResetting("vm-3", "vm");
        Api.register("rag-1", "rag");
        allocate("w1", List.of("vm", "vm", "rag"), 60).statusCode(200);
        post("/release/batch", Map.of("worker_id", "w1", "resource_ids", List.of("vm-1", "vm-2", "rag-1")))
                .statusCode(200).body("details.vm-1", equalTo("released"));
        assertEquals("resetting", state("vm-1"));
        assertEquals("resetting", state("vm-2"));
        assertEquals("free", state("rag-1"));
        allocate("w2", List.of("vm"), 60).statusCode(200).body("vm.id", equalTo("vm-3"));
        post("/release/worker", Map.of("worker_id", "w2")).statusCode(200);
        Api.stats().body("types.vm.resetting", equalTo(3)).body("types.vm.free", equalTo(0));
    }

    @Test
    void anExpiredLeaseIsReapedIntoResetting() throws Exception {
        registerResetting("vm-1", "vm");
        BlockingQueue<String> published = new LinkedBlockingQueue<>();
        reactiveRedis.pubsub(String.class).subscribe("{envgrid}:ch:expired", published::add).await().indefinitely();
        long token = allocate("crashed", List.of("vm"), 1).statusCode(200).extract().<Number>path("vm.fencing_token").longValue();

        assertEquals("expired", json.readTree(published.poll(5, TimeUnit.SECONDS)).path("reason").asText());
        JsonNode reset = json.readTree(published.poll(5, TimeUnit.SECONDS));
        assertEquals("reset", reset.path("reason").asText());
        assertEquals(token, reset.path("fencing_token").asLong());
        assertEquals("resetting", state("vm-1"));
        release("crashed", "vm-1").statusCode(200).body("details.vm-1", equalTo("already_released"));
        report("vm-1", token, "done", null).statusCode(200).body("state", equalTo("free"));
    }

    @Test
    void aForcedDeleteKeepsTheResetOwedForTheReRegistration() {
        registerResetting("vm-1", "vm");
        long token = lease("w1", "vm");
        given().delete("/resources/vm-1?force=true").then().statusCode(200);
        expectError(report("vm-1", token, "done", null), 404, "RESOURCE_NOT_FOUND");
        // The revoked worker used the desktop: registered again, it is reset before anyone gets it.
        registerResetting("vm-1", "vm").statusCode(201).body("state", equalTo("resetting"))
                .body("fencing_token", equalTo((int) token));
        expectError(allocate("w2", List.of("vm"), 60), 409, "INSUFFICIENT_RESOURCES");
        report("vm-1", token, "done", null).statusCode(200).body("state", equalTo("free"));
        assertEquals(0, redis.sortedSet(String.class).zcard("{envgrid}:resetting"));
        assertNull(redis.hash(String.class).hget("{envgrid}:owed", "vm-1"), "owed reset left after done");
    }

    @Test
    void aDrainedResourceStaysOutAfterItsReset() {
        registerResetting("vm-1", "vm");
        long token = lease("w1", "vm");
        release("w1", "vm-1");
        post("/resources/vm-1/drain", Map.of()).statusCode(200).body("state", equalTo("resetting"));
        report("vm-1", token, "done", null).statusCode(200).body("state", equalTo("draining"));
        post("/resources/vm-1/undrain", Map.of()).statusCode(200).body("state", equalTo("free"));
    }

    @Test
    void badReportsAre400AndChangeNothing() {
        registerResetting("vm-1", "vm");
        long token = lease("w1", "vm");
        release("w1", "vm-1");
        Map<String, String> before = keyspace();
        expectError(post("/resources/vm-1/reset", Map.of("outcome", "done")), 400, "INVALID_PARAMETERS");
        expectError(post("/resources/vm-1/reset", Map.of("fencing_token", token, "outcome", "maybe")), 400,
                "INVALID_PARAMETERS");
        expectError(post("/resources/vm-1/reset", Map.of("fencing_token", 0, "outcome", "done")), 400,
                "INVALID_PARAMETERS");
        expectError(report("vm-1", token, "failed", "x".repeat(501)), 400, "INVALID_PARAMETERS");
        expectError(report("vm-1", token, "failed", "line\nbreak"), 400, "INVALID_PARAMETERS");
        expectError(post("/resources/vm-1/reset", Map.of("fencing_token", "seven", "outcome", "done")), 400,
                "MALFORMED_JSON");
        expectError(given().contentType("application/json").post("/resources/vm-1/reset").then(), 400,
                "INVALID_PARAMETERS");
        expectError(report("bad id!", token, "done", null), 400, "INVALID_ID");
        assertEquals(before, keyspace());
    }
}

package io.envgrid.allocator.cell;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.register;
import static io.envgrid.allocator.support.Api.release;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.SettingsProfile;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Two cells ({@code desk}: vm, desktop; {@code tools}: rag, own prefix) and the default cell (every other type) on
 * one Redis: each resource's keys, grants, audit events and queue live under its cell's prefix; a request
 * spanning cells is refused; listings, counts, batch and worker release, renewal, verification and the inventory's
 * calls on one id reach the right cell.
 */
@QuarkusTest
@WithRedis
@TestProfile(CellsTest.TwoCells.class)
class CellsTest extends CleanRedis {

    /** Two named cells; {@code tools} with a prefix of its own choosing. */
    public static class TwoCells extends SettingsProfile {
        public TwoCells() {
            super(Map.of("envgrid.allocator.cells.desk.types", "vm,desktop",
                    "envgrid.allocator.cells.tools.types", "rag",
                    "envgrid.allocator.cells.tools.key-prefix", "{tools}:"));
        }
    }

    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool();

    private void registerOneOfEach() {
        register("vm-1", "vm").statusCode(201);
        register("desktop-1", "desktop").statusCode(201);
        register("rag-1", "rag").statusCode(201);
        register("misc-1", "misc").statusCode(201);
    }

    private List<String> events(String prefix) {
        return redis.stream(String.class).xrange(prefix + "events", io.quarkus.redis.datasource.stream.StreamRange.of("-", "+"))
                .stream().map(StreamMessage::payload).map(Map::toString).toList();
    }

    @Test
    void everyResourceLivesUnderItsCellsPrefixAndIsGrantedAndAuditedThere() {
        registerOneOfEach();
        assertTrue(redis.key().exists("{envgrid-desk}:r:vm-1"));
        assertTrue(redis.key().exists("{envgrid-desk}:r:desktop-1"));
        assertTrue(redis.key().exists("{tools}:r:rag-1"));
        assertTrue(redis.key().exists("{envgrid}:r:misc-1"));
        assertFalse(redis.key().exists("{envgrid}:r:vm-1"), "nothing of a cell's resource under another prefix");

        allocate("w1", List.of("vm", "desktop"), 60).statusCode(200)
                .body("vm.id", equalTo("vm-1")).body("desktop.id", equalTo("desktop-1"));
        allocate("w1", List.of("rag"), 60).statusCode(200).body("rag.fencing_token", equalTo(1));
        assertTrue(events("{envgrid-desk}:").stream().anyMatch(e -> e.contains("grant") && e.contains("vm-1")));
        assertTrue(events("{tools}:").stream().anyMatch(e -> e.contains("grant") && e.contains("rag-1")));
        assertTrue(events("{envgrid}:").stream().noneMatch(e -> e.contains("grant")), "the default cell granted nothing");
    }

    @Test
    void aRequestSpanningCellsIsRefusedAndChangesNothing() {
        registerOneOfEach();
        Map<String, String> before = keyspace();
        expectError(allocate("w1", List.of("vm", "rag", "misc"), 60), 400, "CROSS_CELL_REQUEST")
                .body("error.details.cells.desk", equalTo(List.of("vm")))
                .body("error.details.cells.tools", equalTo(List.of("rag")))
                .body("error.details.cells.default", equalTo(List.of("misc")));
        expectError(post("/allocate", Map.of("worker_id", "w1", "resource_types", List.of("vm", "rag"), "wait_ms", 5000)),
                400, "CROSS_CELL_REQUEST");
        assertEquals(before, keyspace());
    }

    @Test
    void listingsAndCountsCoverEveryCell() {
        registerOneOfEach();
        allocate("w1", List.of("rag"), 60).statusCode(200);
        given().get("/resources").then().statusCode(200)
                .body("id", equalTo(List.of("desktop-1", "misc-1", "rag-1", "vm-1")));
        given().get("/resources?type=rag").then().statusCode(200).body("id", equalTo(List.of("rag-1")));
        given().get("/resources/rag-1").then().statusCode(200).body("state", equalTo("leased"));
        given().get("/leases?worker_id=w1").then().statusCode(200).body("resource_id", equalTo(List.of("rag-1")));
        Api.stats().body("types.rag.leased", equalTo(1)).body("types.vm.free", equalTo(1))
                .body("types.misc.free", equalTo(1)).body("total.free", equalTo(3));
    }

    @Test
    void batchAndWorkerReleaseRenewalAndVerifyReachEveryCell() {
        registerOneOfEach();
        String vmToken = allocate("w1", List.of("vm"), 60).statusCode(200).extract().path("vm.lease_token");
        allocate("w1", List.of("rag"), 60).statusCode(200);
        allocate("w1", List.of("misc"), 60).statusCode(200);

        post("/leases/verify", Map.of("resource_id", "vm-1", "lease_token", vmToken)).statusCode(200)
                .body("worker_id", equalTo("w1"));
        post("/renew", Map.of("worker_id", "w1", "resource_ids", List.of("vm-1", "rag-1"), "timeout", 120)).statusCode(200)
                .body("details.vm-1.status", equalTo("renewed")).body("details.rag-1.status", equalTo("renewed"));
        post("/renew", Map.of("worker_id", "w1", "timeout", 120)).statusCode(200)
                .body("details.keySet()", org.hamcrest.Matchers.containsInAnyOrder("vm-1", "rag-1", "misc-1"));

        post("/release/batch", Map.of("worker_id", "w1", "resource_ids", List.of("vm-1", "rag-1", "nope"))).statusCode(200)
                .body("details.vm-1", equalTo("released")).body("details.rag-1", equalTo("released"))
                .body("details.nope", equalTo("not_found"));
        post("/release/worker", Map.of("worker_id", "w1")).statusCode(200).body("details.misc-1", equalTo("released"));
        Api.stats().body("total.leased", equalTo(0)).body("total.free", equalTo(4));
    }

    @Test
    void aBatchReleaseNamingAnotherWorkersLeaseChangesNoCell() {
        registerOneOfEach();
        allocate("w1", List.of("vm"), 60).statusCode(200);
        allocate("w2", List.of("rag"), 60).statusCode(200);
        Map<String, String> before = keyspace();
        expectError(post("/release/batch", Map.of("worker_id", "w1", "resource_ids", List.of("vm-1", "rag-1"))),
                403, "NOT_LEASE_HOLDER").body("error.details.resources", equalTo(List.of("rag-1")));
        expectError(post("/renew", Map.of("worker_id", "w1", "resource_ids", List.of("vm-1", "rag-1"), "timeout", 90)),
                403, "NOT_LEASE_HOLDER");
        assertEquals(before, keyspace());
    }

    @Test
    void aWaiterIsServedByAReleaseInItsCell() {
        registerOneOfEach();
        allocate("holder", List.of("rag"), 60).statusCode(200);
        CompletableFuture<ExtractableResponse<Response>> waiter = CompletableFuture.supplyAsync(() -> post("/allocate",
                Map.of("worker_id", "waiter", "resource_types", List.of("rag"), "wait_ms", 20000)).extract(), CLIENTS);
        Conditions.await(() -> redis.sortedSet(String.class).zcard("{tools}:q:rag") == 1, "the waiter queued in {tools}");
        release("holder", "rag-1").statusCode(200);
        ExtractableResponse<Response> granted = waiter.join();
        assertEquals(200, granted.statusCode());
        assertEquals("rag-1", granted.path("rag.id"));
    }

    @Test
    void inventoryCallsOnOneResourceReachItsCell() {
        registerOneOfEach();
        post("/resources/rag-1/drain", Map.of()).statusCode(200).body("state", equalTo("draining"));
        assertEquals("draining", redis.hash(String.class).hget("{tools}:r:rag-1", "admin"));
        post("/resources/rag-1/undrain", Map.of()).statusCode(200).body("state", equalTo("free"));
        given().put("/resources/vm-1/heartbeat").then().statusCode(200);
        given().delete("/resources/vm-1").then().statusCode(200);
        assertFalse(redis.key().exists("{envgrid-desk}:r:vm-1"));
        given().get("/resources/vm-1").then().statusCode(404);
    }

    @Test
    void anIdIsNeverInTwoCells() {
        registerOneOfEach();
        Map<String, String> before = keyspace();
        expectError(register("rag-1", "vm"), 409, "RESOURCE_IN_OTHER_CELL")
                .body("error.details.cell", equalTo("tools")).body("error.details.type_cell", equalTo("desk"));
        assertEquals(before, keyspace());
        given().delete("/resources/rag-1").then().statusCode(200);
        register("rag-1", "vm").statusCode(201);
        assertTrue(redis.key().exists("{envgrid-desk}:r:rag-1"));
    }

    @Test
    void theReplicaIsAliveInEveryCell() {
        for (String prefix : List.of("{envgrid}:", "{envgrid-desk}:", "{tools}:")) {
            Conditions.await(() -> redis.sortedSet(String.class).zcard(prefix + "replicas") == 1,
                    "this replica's liveness in " + prefix);
        }
    }
}

package io.envgrid.allocator.cell;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.register;
import static io.envgrid.allocator.support.Api.release;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.EmbeddedRedisCluster;
import io.envgrid.allocator.support.EmbeddedRedisCluster.Master;
import io.envgrid.allocator.support.RedisClusterTestResource;
import io.envgrid.allocator.support.SyncRedis;
import io.envgrid.allocator.support.WithRedisCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cells of {@link CellsTest.TwoCells} on a real three-master Redis Cluster: the tags {@code {envgrid}},
 * {@code {envgrid-desk}} and {@code {tools}} hash to slots of three different masters (asked of the cluster with
 * {@code CLUSTER KEYSLOT}), every key of a cell is on its master and nowhere else, and one allocator serves all of
 * them: grants, a waiter served through the cluster bus, releases fanned out over the cells.
 */
@QuarkusTest
@WithRedisCluster
@TestProfile(CellsTest.TwoCells.class)
class CellsOnClusterTest {

    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool();
    private static final Map<String, String> PREFIX_OF_TYPE = Map.of("vm", "{envgrid-desk}:", "desktop",
            "{envgrid-desk}:", "rag", "{tools}:", "misc", RedisClusterTestResource.PREFIX);

    private final EmbeddedRedisCluster cluster = RedisClusterTestResource.cluster();

    @BeforeEach
    void freshCluster() {
        cluster.reset();
    }

    @Test
    void theCellsTagsLandOnDifferentMasters() {
        Master desk = cluster.ownerOf("{envgrid-desk}:all");
        Master tools = cluster.ownerOf("{tools}:all");
        Master defaultCell = cluster.ownerOf(RedisClusterTestResource.PREFIX + "all");
        assertNotEquals(desk, tools);
        assertNotEquals(desk, defaultCell);
        assertNotEquals(tools, defaultCell);
    }

    @Test
    void everyCellsKeysAreOnItsMasterAndEveryCellIsServed() {
        for (String type : PREFIX_OF_TYPE.keySet()) {
            for (int i = 1; i <= 2; i++) {
                register(type + "-" + i, type).statusCode(201);
            }
        }
        allocate("w1", List.of("vm", "desktop"), 60).statusCode(200);
        allocate("w1", List.of("rag", "rag"), 60).statusCode(200).body("rag.fencing_token", equalTo(1));
        allocate("w1", List.of("misc"), 60).statusCode(200);
        expectError(allocate("w2", List.of("vm", "rag"), 60), 400, "CROSS_CELL_REQUEST");
        Api.stats().body("total.leased", equalTo(5)).body("total.free", equalTo(3));

        for (Master m : cluster.masters()) {
            try (SyncRedis node = new SyncRedis(m.url())) {
                List<String> keys = new ArrayList<>();
                for (Response key : node.call("KEYS", "*")) {
                    keys.add(key.toString());
                }
                String expected = PREFIX_OF_TYPE.values().stream().filter(p -> cluster.ownerOf(p + "all").equals(m))
                        .findFirst().orElseThrow();
                assertTrue(keys.stream().allMatch(k -> k.startsWith(expected)),
                        "master " + m.port() + " holds only keys of " + expected + ": " + keys);
                assertTrue(keys.contains(expected + "events"), "the audit stream of " + expected + " on its master");
            }
        }

        post("/release/worker", Map.of("worker_id", "w1")).statusCode(200)
                .body("details.keySet()", org.hamcrest.Matchers.hasSize(5));
        Api.stats().body("total.leased", equalTo(0)).body("total.free", equalTo(8));
    }

    @Test
    void waitersOfTwoCellsAreServedThroughTheClusterBus() {
        register("vm-1", "vm").statusCode(201);
        register("rag-1", "rag").statusCode(201);
        allocate("holder", List.of("vm"), 60).statusCode(200);
        allocate("holder", List.of("rag"), 60).statusCode(200);
        List<CompletableFuture<io.restassured.response.Response>> waiters = new ArrayList<>();
        for (String type : List.of("vm", "rag")) {
            waiters.add(CompletableFuture.supplyAsync(() -> given().contentType("application/json")
                    .body(Map.of("worker_id", "waiter-" + type, "resource_types", List.of(type), "wait_ms", 20_000))
                    .post("/allocate"), CLIENTS));
        }
        Conditions.await(() -> queued("{envgrid-desk}:", "vm") && queued("{tools}:", "rag"), "both tickets queued");
        post("/release/batch", Map.of("worker_id", "holder", "resource_ids", List.of("vm-1", "rag-1"))).statusCode(200)
                .body("details.vm-1", equalTo("released")).body("details.rag-1", equalTo("released"));
        assertEquals("vm-1", waiters.get(0).join().path("vm.id"));
        assertEquals("rag-1", waiters.get(1).join().path("rag.id"));
        expectError(release("holder", "vm-1"), 403, "NOT_LEASE_HOLDER");
    }

    /**
     * Review h7 item 5 on the cluster: the cells {@code desk} and default are on different masters, so no script can
     * see both; two racing first registrations of one id from a vm and a misc still leave it in one cell, because the
     * claim of every id is one key on the default cell's master. The loser answers 409, and a delete frees the id.
     */
    @Test
    void racingRegistrationsOnTwoMastersLeaveEveryIdInOneCell() {
        String desk = "{envgrid-desk}:";
        String dflt = RedisClusterTestResource.PREFIX;
        List<String> twins = new ArrayList<>();
        Map<String, List<Integer>> answers = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            String id = "dup-" + i;
            CompletableFuture<Integer> vm = CompletableFuture.supplyAsync(() -> register(id, "vm").extract().statusCode(), CLIENTS);
            CompletableFuture<Integer> misc = CompletableFuture.supplyAsync(() -> register(id, "misc").extract().statusCode(), CLIENTS);
            answers.put(id, List.of(vm.join(), misc.join()));
            if (exists(desk + "r:" + id) && exists(dflt + "r:" + id)) {
                twins.add(id);
            }
        }
        assertEquals(List.of(), twins, "ids registered in two cells at once");
        try (SyncRedis claims = new SyncRedis(cluster.ownerOf(dflt + "all").url())) {
            answers.forEach((id, pair) -> {
                boolean inDesk = exists(desk + "r:" + id);
                assertTrue(inDesk || exists(dflt + "r:" + id), id + " registered somewhere");
                assertEquals(inDesk ? List.of(201, 409) : List.of(409, 201), pair, id + ": vm, misc");
                Response claim = claims.call("GET", dflt + "cell:" + id);
                assertEquals(inDesk ? "desk" : "default", claim == null ? null : claim.toString(),
                        id + ": the claim, on the default cell's master");
            });
        }
        register("mover", "vm").statusCode(201);
        expectError(register("mover", "misc"), 409, "RESOURCE_IN_OTHER_CELL");
        given().delete("/resources/mover").then().statusCode(200);
        register("mover", "misc").statusCode(201);
        assertTrue(exists(dflt + "r:mover") && !exists(desk + "r:mover"), "mover moved to the default cell");
    }

    /** Whether {@code key} exists, asked of the master that owns its slot. */
    private boolean exists(String key) {
        try (SyncRedis node = new SyncRedis(cluster.ownerOf(key).url())) {
            return node.call("EXISTS", key).toLong() > 0;
        }
    }

    /** Whether a ticket sits in a cell's queue for {@code type}, read on the cell's master directly. */
    private boolean queued(String prefix, String type) {
        try (SyncRedis node = new SyncRedis(cluster.ownerOf(prefix + "q:" + type).url())) {
            return node.call("EXISTS", prefix + "q:" + type).toLong() > 0;
        }
    }
}

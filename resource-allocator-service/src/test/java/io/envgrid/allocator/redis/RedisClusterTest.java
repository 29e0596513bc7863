package io.envgrid.allocator.redis;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.register;
import static io.envgrid.allocator.support.Api.registerPool;
import static io.envgrid.allocator.support.Api.release;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.EmbeddedRedisCluster;
import io.envgrid.allocator.support.RedisClusterTestResource;
import io.envgrid.allocator.support.SyncRedis;
import io.envgrid.allocator.support.WithRedisCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The allocator's main flows on a real three-master Redis Cluster. Before every test each master is
 * emptied and its script cache flushed, so each test makes the first calls of a fresh deployment:
 * every script meets NOSCRIPT on the master owning the allocator's slot. The seed list names that
 * master last, so a command sent without a key (the old {@code SCRIPT LOAD}) lands elsewhere and the
 * call fails with a 500; here every status is the expected one.
 */
@QuarkusTest
@WithRedisCluster
class RedisClusterTest {

    /** Blocking HTTP calls need their own threads: the common pool may have a single one on 2 cores. */
    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool();

    private final EmbeddedRedisCluster cluster = RedisClusterTestResource.cluster();

    @BeforeEach
    void freshCluster() {
        cluster.reset();
    }

    @Test
    void firstCallsAfterAFlushAnswerAndKeepAllStateOnTheOwningMaster() {
        for (int i = 1; i <= 5; i++) {
            register("rag-" + i, "rag").statusCode(201);
        }
        for (int i = 0; i < 10; i++) {
            Api.stats().body("types.rag.free", equalTo(5));
        }
        given().get("/resources?type=rag").then().statusCode(200).body("$", hasSize(5));

        EmbeddedRedisCluster.Master owner = cluster.ownerOf(RedisClusterTestResource.PREFIX);
        for (EmbeddedRedisCluster.Master m : cluster.masters()) {
            try (SyncRedis node = new SyncRedis(m.url())) {
                long keys = node.call("DBSIZE").toLong();
                assertEquals(m.equals(owner), keys > 0, "keys on master " + m.port() + " (owner " + owner.port() + "): " + keys);
            }
        }
    }

    @Test
    void batchAllocationRenewVerifyAndRelease() {
        registerPool("vm_pyautogui", 2);
        registerPool("rag", 1);
        ValidatableResponse granted = allocate("w1", List.of("vm_pyautogui", "rag", "vm_pyautogui"), 60)
                .statusCode(200)
                .body("rag.fencing_token", equalTo(1));
        String leaseToken = granted.extract().path("rag.lease_token");
        expectError(allocate("w2", List.of("rag"), 60), 409, "INSUFFICIENT_RESOURCES");

        post("/renew", Map.of("worker_id", "w1", "timeout", 120)).statusCode(200)
                .body("details.rag-1.status", equalTo("renewed"));
        post("/leases/verify", Map.of("resource_id", "rag-1", "lease_token", leaseToken)).statusCode(200)
                .body("worker_id", equalTo("w1"));
        given().get("/leases?worker_id=w1").then().statusCode(200).body("$", hasSize(3));

        post("/release/batch", Map.of("worker_id", "w1", "resource_ids", List.of("vm_pyautogui-1", "vm_pyautogui-2")))
                .statusCode(200).body("details.vm_pyautogui-1", equalTo("released"));
        post("/release/worker", Map.of("worker_id", "w1")).statusCode(200);
        expectError(post("/leases/verify", Map.of("resource_id", "rag-1", "lease_token", leaseToken)), 409, "LEASE_NOT_LIVE");
        Api.stats().body("types.rag.free", equalTo(1)).body("types.vm_pyautogui.free", equalTo(2));
    }

    @Test
    void aWaiterIsGrantedTheReleasedResourceThroughTheClusterBus() throws Exception {
        registerPool("rag", 1);
        allocate("holder", List.of("rag"), 60).statusCode(200);
        CompletableFuture<io.restassured.response.Response> waiter = CompletableFuture.supplyAsync(() -> given()
                .contentType("application/json")
                .body(Map.of("worker_id", "waiter", "resource_types", List.of("rag"), "wait_ms", 20_000))
                .post("/allocate"), CLIENTS);
        Conditions.await(this::ticketQueued, "the waiter's ticket is queued");
        release("holder", "rag-1").statusCode(200).body("details.rag-1", equalTo("released"));

        io.restassured.response.Response answer = waiter.get();
        assertEquals(200, answer.statusCode(), answer.asString());
        assertEquals("rag-1", answer.path("rag.id"));
        assertEquals(2, (Integer) answer.path("rag.fencing_token"));
    }

    @Test
    void expiredLeasesAreReapedAndResourcesManaged() {
        registerPool("rag", 2);
        allocate("crashed", List.of("rag", "rag"), 1).statusCode(200);
        Conditions.await(() -> Api.stats().extract().<Integer>path("types.rag.free") == 2, "both leases reaped",
                Duration.ofSeconds(10));

        given().put("/resources/rag-1/heartbeat").then().statusCode(200);
        post("/resources/rag-1/drain", Map.of()).statusCode(200);
        Api.stats().body("types.rag.draining", equalTo(1));
        post("/resources/rag-1/undrain", Map.of()).statusCode(200);
        given().delete("/resources/rag-2").then().statusCode(200);
        given().get("/resources/rag-1").then().statusCode(200).body("state", equalTo("free"));
        expectError(release("nobody", "rag-2"), 404, "RESOURCE_NOT_FOUND");
    }

    /**
     * Many requests at once: the cluster client takes a pooled connection to every master per call,
     * and the Vert.x Redis client before 4.5.27 deadlocked here once its slot map (refreshed every
     * second) had to be reloaded while every pooled connection was held (requests hung for good).
     */
    @Test
    void concurrentAllocateAndReleaseAllAnswerAndLeaveThePoolFree() throws Exception {
        registerPool("rag", 8);
        long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        List<CompletableFuture<Integer>> clients = new ArrayList<>();
        for (int c = 0; c < 64; c++) {
            String worker = "cw" + c;
            clients.add(CompletableFuture.supplyAsync(() -> {
                int granted = 0;
                while (System.nanoTime() < deadline) {
                    io.restassured.response.Response answer = given().contentType("application/json")
                            .body(Map.of("worker_id", worker, "resource_types", List.of("rag"), "timeout", 60,
                                    "wait_ms", 500))
                            .post("/allocate");
                    assertTrue(answer.statusCode() == 200 || answer.statusCode() == 409, answer.asString());
                    if (answer.statusCode() == 200) {
                        granted++;
                        release(worker, answer.path("rag.id")).statusCode(200);
                    }
                }
                return granted;
            }, CLIENTS));
        }
        int grants = 0;
        for (CompletableFuture<Integer> client : clients) {
            grants += client.get(60, TimeUnit.SECONDS);
        }
        assertTrue(grants > 0, "no grant at all");
        Api.stats().body("types.rag.free", equalTo(8)).body("types.rag.leased", equalTo(0));
    }

    /** Whether a ticket sits in the owning master's queue for {@code rag} (read there directly). */
    private boolean ticketQueued() {
        try (SyncRedis node = new SyncRedis(cluster.ownerOf(RedisClusterTestResource.PREFIX).url())) {
            return node.call("EXISTS", RedisClusterTestResource.PREFIX + "q:rag").toLong() > 0;
        }
    }
}

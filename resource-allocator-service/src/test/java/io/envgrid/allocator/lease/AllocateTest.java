package io.envgrid.allocator.lease;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.registerPool;
import static io.envgrid.allocator.support.Api.release;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithRedis
class AllocateTest extends CleanRedis {

    /** Blocking HTTP calls need their own threads: the common pool may have a single one on 2 cores. */
    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool();

    @Test
    void singleAllocationReturnsTheSeedShapeWithLeaseFields() {
        registerPool("vm_pyautogui", 1);
        allocate("demo_worker_001", List.of("vm_pyautogui"), 600).statusCode(200)
                .header("X-Envgrid-Replayed", "false")
                .body("vm_pyautogui.id", equalTo("vm_pyautogui-1"))
                .body("vm_pyautogui.type", equalTo("vm_pyautogui"))
                .body("vm_pyautogui.ip", notNullValue())
                .body("vm_pyautogui.port", equalTo(5000))
                .body("vm_pyautogui.token", equalTo("t-vm_pyautogui-1"))
                .body("vm_pyautogui.labels.zone", equalTo("a"))
                .body("vm_pyautogui.lease_id", equalTo("vm_pyautogui-1:1"))
                .body("vm_pyautogui.fencing_token", equalTo(1))
                .body("vm_pyautogui.expires_at", notNullValue());
        Api.stats().body("types.vm_pyautogui.leased", equalTo(1)).body("types.vm_pyautogui.free", equalTo(0));
    }

    @Test
    void batchMixesTypesAndNumbersRepeatedTypes() {
        registerPool("vm_pyautogui", 3);
        registerPool("rag", 1);
        allocate("w1", List.of("vm_pyautogui", "rag", "vm_pyautogui"), 60).statusCode(200)
                .body("keySet()", org.hamcrest.Matchers.containsInAnyOrder("vm_pyautogui", "rag", "vm_pyautogui#2"))
                .body("vm_pyautogui.id", not(equalTo(null)))
                .body("'vm_pyautogui#2'.type", equalTo("vm_pyautogui"));
        Api.stats().body("types.vm_pyautogui.leased", equalTo(2)).body("types.rag.leased", equalTo(1));
    }

    @Test
    void shortPoolGrantsNothingAndSaysWhatIsMissing() {
        registerPool("vm_pyautogui", 2);
        registerPool("rag", 1);
        expectError(allocate("w1", List.of("vm_pyautogui", "vm_pyautogui", "vm_pyautogui", "rag"), 60),
                409, "INSUFFICIENT_RESOURCES")
                .body("error.details.types.vm_pyautogui.requested", equalTo(3))
                .body("error.details.types.vm_pyautogui.available", equalTo(2))
                .body("error.details.types.rag.available", equalTo(1));
        Api.stats().body("total.leased", equalTo(0)).body("total.free", equalTo(3));
    }

    @Test
    void unknownTypeIsBadInput() {
        registerPool("rag", 1);
        expectError(allocate("w1", List.of("rag", "quantum_computer"), 60), 400, "UNKNOWN_RESOURCE_TYPE")
                .body("error.details.unknown_types", equalTo(List.of("quantum_computer")));
        Api.stats().body("total.leased", equalTo(0));
    }

    @Test
    void fencingTokenGrowsWithEveryGrantOfAResource() {
        registerPool("rag", 1);
        int previous = 0;
        for (int i = 0; i < 3; i++) {
            int fence = allocate("w" + i, List.of("rag"), 60).statusCode(200).extract().path("rag.fencing_token");
            assertTrue(fence > previous, "fencing token must grow: " + fence + " after " + previous);
            previous = fence;
            release("w" + i, "rag-1").statusCode(200);
        }
    }

    @Test
    void fencingTokenSurvivesDeleteAndReRegistration() {
        registerPool("rag", 1);
        int first = allocate("w1", List.of("rag"), 60).extract().path("rag.fencing_token");
        release("w1", "rag-1").statusCode(200);
        io.restassured.RestAssured.delete("/resources/rag-1").then().statusCode(200);
        registerPool("rag", 1);
        int second = allocate("w1", List.of("rag"), 60).extract().path("rag.fencing_token");
        assertTrue(second > first);
    }

    @Test
    void retriedRequestIdReturnsTheFirstGrantNotASecondOne() {
        registerPool("rag", 2);
        Map<String, Object> body = Map.of("worker_id", "w1", "resource_types", List.of("rag"), "timeout", 60,
                "request_id", "req-42");
        ExtractableResponse<Response> first = post("/allocate", body).statusCode(200).extract();
        ExtractableResponse<Response> retry = post("/allocate", body).statusCode(200)
                .header("X-Envgrid-Replayed", "true").extract();
        assertEquals(first.path("rag.id").toString(), retry.path("rag.id").toString());
        assertEquals((Integer) first.path("rag.fencing_token"), retry.path("rag.fencing_token"));
        Api.stats().body("types.rag.leased", equalTo(1));

        expectError(post("/allocate", Map.of("worker_id", "w2", "resource_types", List.of("rag"),
                "request_id", "req-42")), 409, "REQUEST_ID_CONFLICT");
        Api.stats().body("types.rag.leased", equalTo(1));
    }

    @Test
    void waitingRequestIsGrantedWhenAResourceIsReleased() throws Exception {
        holdTheOnlyRag();
        CompletableFuture<ExtractableResponse<Response>> waiter = waitingForRag("waiter", 10_000);
        awaitQueued("rag", 1);
        release("holder", "rag-1").statusCode(200);
        ExtractableResponse<Response> granted = waiter.get();
        assertEquals(200, granted.statusCode());
        assertEquals("rag-1", granted.path("rag.id"));
    }

    @Test
    void waitEndsWith409WhenNothingIsFreed() {
        holdTheOnlyRag();
        expectError(post("/allocate", Map.of("worker_id", "waiter", "resource_types", List.of("rag"), "wait_ms", 300)),
                409, "INSUFFICIENT_RESOURCES")
                .body("error.details.waited_ms", equalTo(300));
        assertEquals(0L, redis.sortedSet(String.class).zcard("{envgrid}:q:rag"), "the ticket is withdrawn");
    }

    @Test
    void earlierWaiterGoesFirst() throws Exception {
        holdTheOnlyRag();
        CompletableFuture<ExtractableResponse<Response>> first = waitingForRag("first", 10_000);
        awaitQueued("rag", 1);
        CompletableFuture<ExtractableResponse<Response>> second = waitingForRag("second", 1_500);
        awaitQueued("rag", 2);
        // A request that does not wait may not jump the queue either.
        expectError(allocate("jumper", List.of("rag"), 60), 409, "INSUFFICIENT_RESOURCES");
        release("holder", "rag-1").statusCode(200);
        assertEquals(200, first.get().statusCode());
        assertEquals(409, second.get().statusCode());
    }

    @Test
    void concurrentRequestsNeverShareAResource() throws Exception {
        registerPool("vm_pyautogui", 5);
        List<CompletableFuture<ExtractableResponse<Response>>> calls = java.util.stream.IntStream.range(0, 20)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> allocate("w" + i, List.of("vm_pyautogui"), 60).extract(), CLIENTS))
                .toList();
        List<String> granted = calls.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 200)
                .map(r -> r.<String>path("vm_pyautogui.id")).toList();
        assertEquals(5, granted.size());
        assertEquals(5, granted.stream().distinct().count());
        assertNotEquals(0, calls.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 409).count());
    }

    /** One {@code rag} in the pool, {@code rag-1}, held by worker {@code holder} for a minute. */
    private static void holdTheOnlyRag() {
        registerPool("rag", 1);
        allocate("holder", List.of("rag"), 60).statusCode(200);
    }

    private void awaitQueued(String type, long waiters) {
        Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:q:" + type) == waiters,
                "waiters queued for " + type);
    }

    /** A request for one {@code rag} that waits up to {@code waitMs}, sent on its own thread. */
    private static CompletableFuture<ExtractableResponse<Response>> waitingForRag(String worker, int waitMs) {
        return CompletableFuture.supplyAsync(() -> post("/allocate",
                Map.of("worker_id", worker, "resource_types", List.of("rag"), "wait_ms", waitMs)).extract(), CLIENTS);
    }
}

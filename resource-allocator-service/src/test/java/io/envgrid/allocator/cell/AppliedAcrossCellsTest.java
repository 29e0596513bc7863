package io.envgrid.allocator.cell;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.register;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.allocator.redis.ScriptRunner;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call over several cells whose part in one cell is refused after the other cells applied theirs says what was
 * applied: a lease in cell {@code tools} granted to another worker between the router's look-up and the cells'
 * scripts (made deterministic by a router that re-grants it right after its look-up) leaves the 403 listing the
 * {@code desk} part that was released or renewed, and that part really happened. The same for a request_id that
 * is another worker's in one cell and this worker's in another, for a cell whose script fails, and for a forced
 * delete whose second step (giving up the id's cell claim) fails.
 */
@QuarkusTest
@WithRedis
@TestProfile(CellsTest.TwoCells.class)
class AppliedAcrossCellsTest extends CleanRedis {

    @Inject
    Cells cells;

    @Inject
    ScriptRunner scripts;

    /** Run once, on a worker thread, right after the next look-up of worker {@code w1}: the race's other side. */
    private final AtomicReference<Runnable> afterLookUp = new AtomicReference<>();

    /** The real router, which lets the test act between its look-up and the scripts that follow it. */
    class RacingRouter extends CellRouter {
        RacingRouter() {
            super(cells, scripts);
        }

        @Override
        public Uni<Placement> place(List<String> ids, String worker) {
            Uni<Placement> placed = super.place(ids, worker);
            Runnable race = "w1".equals(worker) ? afterLookUp.getAndSet(null) : null;
            // The race's HTTP calls block, so they run off the event loop that serves them.
            return race == null ? placed : placed.emitOn(Infrastructure.getDefaultWorkerPool()).invoke(race);
        }
    }

    @BeforeEach
    void installRouter() {
        QuarkusMock.installMockForType(new RacingRouter(), CellRouter.class);
        register("vm-1", "vm").statusCode(201);
        register("rag-1", "rag").statusCode(201);
        allocate("w1", List.of("vm"), 60).statusCode(200);
        allocate("w1", List.of("rag"), 60).statusCode(200);
        // w1's lease on rag-1 ends (as a forced delete or an expiry would end it) and rag-1 goes to w2.
        afterLookUp.set(() -> {
            post("/release", Map.of("worker_id", "w1", "resource_id", "rag-1")).statusCode(200);
            allocate("w2", List.of("rag"), 60).statusCode(200);
        });
    }

    @Test
    void aBatchReleaseRefusedInOneCellSaysWhatTheOtherCellReleased() {
        ValidatableResponse refused = expectError(post("/release/batch",
                Map.of("worker_id", "w1", "resource_ids", List.of("vm-1", "rag-1"))), 403, "NOT_LEASE_HOLDER")
                .body("error.details.resources", equalTo(List.of("rag-1")))
                .body("error.details.applied", equalTo(Map.of("vm-1", "released")))
                .body("error.message", not(containsString("nothing was changed")));
        assertEquals(null, afterLookUp.get(), "the re-grant ran between the look-up and the scripts");
        given().get("/resources/vm-1").then().statusCode(200).body("state", equalTo("free"));
        given().get("/leases?worker_id=w2").then().statusCode(200).body("resource_id", equalTo(List.of("rag-1")));
        given().get("/leases?worker_id=w1").then().statusCode(200).body("size()", equalTo(0));
        refused.body("error.details.worker_id", equalTo("w1"));
    }

    @Test
    void aRenewalRefusedInOneCellSaysWhatTheOtherCellRenewed() {
        String before = given().get("/leases?worker_id=w1").then().extract().path("find { it.resource_id == 'vm-1' }.expires_at");
        String renewedUntil = expectError(post("/renew",
                Map.of("worker_id", "w1", "resource_ids", List.of("vm-1", "rag-1"), "timeout", 3600)), 403, "NOT_LEASE_HOLDER")
                .body("error.details.resources", equalTo(List.of("rag-1")))
                .body("error.details.applied.vm-1.status", equalTo("renewed"))
                .body("error.details.applied.vm-1.fencing_token", equalTo(1))
                .body("error.message", not(containsString("nothing was changed")))
                .extract().path("error.details.applied.vm-1.expires_at");
        given().get("/leases?worker_id=w1").then().statusCode(200)
                .body("find { it.resource_id == 'vm-1' }.expires_at", equalTo(renewedUntil))
                .body("find { it.resource_id == 'vm-1' }.expires_at", not(equalTo(before)));
        given().get("/leases?worker_id=w2").then().statusCode(200).body("resource_id", equalTo(List.of("rag-1")));
    }

    @Test
    void aCellThatFailsAfterAnotherReleasedItsPartIsAnsweredWithWhatWasReleased() {
        // The tools cell's script fails on its first write (a key of the wrong type stands in for a cell that
        // cannot run its part), after desk released vm-1: that failure, plus what desk did.
        afterLookUp.set(() -> redis.value(String.class).set("{tools}:hb", "not a sorted set"));
        expectError(post("/release/batch", Map.of("worker_id", "w1", "resource_ids", List.of("vm-1", "rag-1"))),
                500, "INTERNAL_ERROR")
                .body("error.details.failed_cells", equalTo(List.of("tools")))
                .body("error.details.applied", equalTo(Map.of("vm-1", "released")));
        redis.key().del("{tools}:hb");
        given().get("/resources/vm-1").then().statusCode(200).body("state", equalTo("free"));
        given().get("/leases?worker_id=w1").then().statusCode(200).body("resource_id", equalTo(List.of("rag-1")));
    }

    @Test
    void aDeleteWhoseClaimIsNotGivenUpSaysTheResourceIsGone() {
        afterLookUp.set(null);
        // The claim's key of the wrong type stands in for the default cell's master failing the second step.
        redis.key().del("{envgrid}:cell:vm-1");
        redis.hash(String.class).hset("{envgrid}:cell:vm-1", "cell", "desk");
        expectError(given().delete("/resources/vm-1?force=true").then(), 500, "INTERNAL_ERROR")
                .body("error.details.applied.status", equalTo("deleted"))
                .body("error.details.claim_kept", equalTo("desk"))
                .body("error.message", containsString("was deleted"));
        given().get("/resources/vm-1").then().statusCode(404);
        given().get("/leases?worker_id=w1").then().statusCode(200).body("resource_id", equalTo(List.of("rag-1")));
    }

    @Test
    void aRequestIdOfAnotherWorkerInOneCellChangesNothingInAnyCell() {
        afterLookUp.set(null);
        post("/release/batch", Map.of("worker_id", "w1", "resource_ids", List.of("vm-1", "rag-1"))).statusCode(200);
        // One request_id, two workers, two cells: every cell is checked before any cell settles anything.
        post("/allocate", Map.of("worker_id", "w1", "resource_types", List.of("vm"), "request_id", "r-1")).statusCode(200);
        post("/allocate", Map.of("worker_id", "w2", "resource_types", List.of("rag"), "request_id", "r-1")).statusCode(200);

        expectError(post("/release/request", Map.of("worker_id", "w2", "request_id", "r-1")), 409, "REQUEST_ID_CONFLICT")
                .body("error.details.conflict_in_cells", equalTo(List.of("desk")))
                .body("error.details.applied", equalTo(Map.of()))
                .body("error.message", containsString("nothing was changed"));
        given().get("/leases?worker_id=w2").then().statusCode(200).body("resource_id", equalTo(List.of("rag-1")));
        given().get("/leases?worker_id=w1").then().statusCode(200).body("resource_id", equalTo(List.of("vm-1")));
    }

    /** A request_id only one cell ever saw, another worker's there: the other cell gets no marker in the caller's name. */
    @Test
    void aCellThatNeverSawAnotherWorkersRequestIdIsLeftUntouched() {
        afterLookUp.set(null);
        post("/release/batch", Map.of("worker_id", "w1", "resource_ids", List.of("vm-1", "rag-1"))).statusCode(200);
        post("/allocate", Map.of("worker_id", "w1", "resource_types", List.of("vm"), "request_id", "r-3")).statusCode(200);

        expectError(post("/release/request", Map.of("worker_id", "w2", "request_id", "r-3")), 409, "REQUEST_ID_CONFLICT")
                .body("error.details.conflict_in_cells", equalTo(List.of("desk")));
        assertEquals(null, redis.value(String.class).get("{tools}:req:r-3"), "no withdrawn marker in w2's name");
        // w1's settle of its own id still works in every cell.
        post("/release/request", Map.of("worker_id", "w1", "request_id", "r-3")).statusCode(200)
                .body("released.size()", equalTo(1));
    }
}

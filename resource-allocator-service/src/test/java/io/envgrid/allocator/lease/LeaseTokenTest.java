package io.envgrid.allocator.lease;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.registerPool;
import static io.envgrid.allocator.support.Api.release;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.CleanRedis;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lease token (docs/isolation.md): a fresh secret per grant that {@code POST /leases/verify}
 * accepts exactly while that lease is live, and every boundary of a lease's life checked against
 * the lease's expiry itself, not against whether a reaper has run.
 */
@QuarkusTest
@WithRedis
class LeaseTokenTest extends CleanRedis {

    private static final String TOKEN = "elt_[A-Za-z0-9_-]{22}";

    @Test
    void everyGrantCarriesAFreshTokenThatVerifiesOnlyWhileLive() {
        registerPool("vm", 1);
        String first = allocate("w1", List.of("vm"), 60).statusCode(200)
                .body("vm.lease_token", matchesPattern(TOKEN)).extract().path("vm.lease_token");
        verify("vm-1", first).statusCode(200).body("worker_id", equalTo("w1"))
                .body("fencing_token", equalTo(1)).body("lease_id", equalTo("vm-1:1"));
        release("w1", "vm-1").statusCode(200);
        expectError(verify("vm-1", first), 409, "LEASE_NOT_LIVE");

        String second = allocate("w2", List.of("vm"), 60).statusCode(200).extract().path("vm.lease_token");
        assertNotEquals(first, second);
        expectError(verify("vm-1", first), 409, "LEASE_NOT_LIVE");
        verify("vm-1", second).statusCode(200).body("worker_id", equalTo("w2")).body("fencing_token", equalTo(2));
    }

    @Test
    void theTokenIsNeverListed() {
        registerPool("vm", 1);
        String token = allocate("w1", List.of("vm"), 60).statusCode(200).extract().path("vm.lease_token");
        String listings = Api.get("/resources") + Api.get("/resources/vm-1") + Api.get("/leases?worker_id=w1")
                + Api.get("/leases");
        if (listings.contains(token)) {
            throw new AssertionError("a listing shows the lease token: " + listings);
        }
    }

    @Test
    void aTokenForAnotherResourceOrMalformedIsRefused() {
        registerPool("vm", 2);
        String token = allocate("w1", List.of("vm"), 60).statusCode(200).extract().path("vm.lease_token");
        expectError(verify("vm-2", token), 409, "LEASE_NOT_LIVE");
        expectError(verify("vm-3", token), 404, "RESOURCE_NOT_FOUND");
        expectError(verify("vm-1", "elt_" + "A".repeat(22)), 409, "LEASE_NOT_LIVE");
        expectError(verify("vm-1", "not-a-token"), 400, "INVALID_PARAMETERS");
        expectError(post("/leases/verify", Map.of("resource_id", "vm-1")), 400, "INVALID_PARAMETERS");
    }

    /**
     * A lease whose expiry has passed but which no reaper has reclaimed yet (its entry in the
     * leases index still says later) is over for verify, renew and release-as-holder alike, and
     * the first of them reclaims it as an expiry.
     */
    @Test
    void aLeasePastItsExpiryIsOverBeforeAnyReaperRuns() {
        registerPool("vm", 3);
        String token = allocate("w1", List.of("vm", "vm", "vm"), 60).statusCode(200).extract().path("vm.lease_token");
        for (String id : List.of("vm-1", "vm-2", "vm-3")) {
            pastExpiry(id);
        }
        expectError(verify("vm-1", token), 409, "LEASE_NOT_LIVE");
        post("/renew", Map.of("worker_id", "w1", "resource_ids", List.of("vm-2"), "timeout", 60)).statusCode(200)
                .body("details.vm-2.status", equalTo("not_held"));
        release("w1", "vm-3").statusCode(200).body("details.vm-3", equalTo("expired"));

        Api.stats().body("types.vm.free", equalTo(3)).body("types.vm.leased", equalTo(0));
        for (String id : List.of("vm-1", "vm-2", "vm-3")) {
            assertNull(redis.hash(String.class).hget("{envgrid}:r:" + id, "lease_token"), id);
        }
        List<String> kinds = redis.stream(String.class).xrange("{envgrid}:events", StreamRange.of("-", "+"))
                .stream().map(m -> m.payload().get("kind")).toList();
        assertEquals(List.of("grant", "grant", "grant", "expire", "expire", "expire"), kinds);
    }

    @Test
    void anotherWorkersLeasePastItsExpiryDoesNotBlockARelease() {
        registerPool("vm", 2);
        allocate("w1", List.of("vm"), 60).statusCode(200);
        allocate("w2", List.of("vm"), 60).statusCode(200);
        pastExpiry("vm-1");
        post("/release/batch", Map.of("worker_id", "w2", "resource_ids", List.of("vm-1", "vm-2"))).statusCode(200)
                .body("details.vm-2", equalTo("released"));
    }

    /** Moves the lease's own expiry into the past while the reaper's index still says a minute on. */
    private void pastExpiry(String id) {
        redis.hash(String.class).hset("{envgrid}:r:" + id, "expires", Long.toString(System.currentTimeMillis() - 1_000));
    }

    private static ValidatableResponse verify(String id, String token) {
        return post("/leases/verify", Map.of("resource_id", id, "lease_token", token));
    }
}

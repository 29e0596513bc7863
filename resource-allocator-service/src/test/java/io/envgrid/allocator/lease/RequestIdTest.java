package io.envgrid.allocator.lease;

import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.registerPool;
import static io.envgrid.allocator.support.Api.release;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.cell.Cells;
import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.redis.ScriptRunner;
import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import jakarta.inject.Inject;
import io.restassured.response.Response;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * {@code request_id}: a retry with the same body gets the first answer while all of its leases are
 * live; another body is a conflict; a settled request is never replayed; refusals change nothing.
 */
@QuarkusTest
@WithRedis
class RequestIdTest extends CleanRedis {

    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool();

    @Inject
    ScriptRunner scripts;

    @Inject
    Cells cells;

    private static Map<String, Object> body(String worker, List<String> types, Integer timeout, String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("worker_id", worker);
        body.put("resource_types", types);
        if (timeout != null) {
            body.put("timeout", timeout);
        }
        body.put("request_id", requestId);
        return body;
    }

    @Test
    void sameBodyReplaysTheFirstAnswerWithItsToken() {
        registerPool("vm", 2);
        registerPool("rag", 1);
        Map<String, Object> first = body("w1", List.of("vm", "rag"), 60, "r-1");
        ExtractableResponse<Response> granted = post("/allocate", first).statusCode(200)
                .header("X-Envgrid-Replayed", "false").extract();
        ExtractableResponse<Response> replay = post("/allocate", first).statusCode(200)
                .header("X-Envgrid-Replayed", "true").extract();
        for (String path : List.of("vm.id", "vm.lease_id", "vm.lease_token", "rag.lease_id", "rag.lease_token")) {
            assertEquals(granted.<Object>path(path), replay.<Object>path(path), path);
        }
        Api.stats().body("total.leased", equalTo(2)).body("total.free", equalTo(1));
    }

    @Test
    void sameIdWithAnotherBodyIsAConflictAndChangesNothing() {
        registerPool("vm", 3);
        registerPool("rag", 2);
        post("/allocate", body("w1", List.of("vm", "rag"), 60, "r-2")).statusCode(200);
        Map<String, String> before = keyspace();
        for (Map<String, Object> other : List.of(
                body("w1", List.of("rag", "vm"), 60, "r-2"),           // types in another order
                body("w1", List.of("vm"), 60, "r-2"),                  // fewer types
                body("w1", List.of("vm", "rag", "vm"), 60, "r-2"),     // more types
                body("w1", List.of("vm", "rag"), 61, "r-2"),           // another timeout
                body("w1", List.of("vm", "rag"), null, "r-2"),         // the default timeout (600 s)
                body("w2", List.of("vm", "rag"), 60, "r-2"))) {        // another worker
            expectError(post("/allocate", other), 409, "REQUEST_ID_CONFLICT")
                    .body("error.details.request_id", equalTo("r-2"));
            assertEquals(before, keyspace(), "a conflict changes nothing: " + other);
        }
    }

    @Test
    void aReplayNeverHandsOutALeaseThatEnded() {
        registerPool("vm", 2);
        Map<String, Object> request = body("w1", List.of("vm", "vm"), 60, "r-3");
        String lease = post("/allocate", request).statusCode(200).extract().path("vm.lease_id");
        String resource = lease.substring(0, lease.lastIndexOf(':'));
        release("w1", resource).statusCode(200);
        Map<String, String> before = keyspace();
        expectError(post("/allocate", request), 409, "REQUEST_ID_SETTLED")
                .body("error.details.ended_lease_ids", equalTo(List.of(lease)));
        assertEquals(before, keyspace(), "a settled request_id grants nothing and changes nothing");
        Api.stats().body("total.leased", equalTo(1));
    }

    @Test
    void aReplayAfterTheResourceWasGrantedAgainIsSettled() {
        registerPool("vm", 1);
        Map<String, Object> request = body("w1", List.of("vm"), 60, "r-4");
        post("/allocate", request).statusCode(200);
        release("w1", "vm-1").statusCode(200);
        // The same worker holds the resource again, under a newer lease: still not the answer's lease.
        Api.allocate("w1", List.of("vm"), 60).statusCode(200).body("vm.fencing_token", equalTo(2));
        expectError(post("/allocate", request), 409, "REQUEST_ID_SETTLED");
    }

    @Test
    void aReplayAfterRevocationOrExpiryIsSettled() {
        registerPool("vm", 1);
        post("/allocate", body("w1", List.of("vm"), 60, "r-5")).statusCode(200);
        io.restassured.RestAssured.delete("/resources/vm-1?force=true").then().statusCode(200);
        registerPool("vm", 1);
        expectError(post("/allocate", body("w1", List.of("vm"), 60, "r-5")), 409, "REQUEST_ID_SETTLED");

        post("/allocate", body("w2", List.of("vm"), 1, "r-6")).statusCode(200);
        Conditions.await(() -> redis.hash(String.class).hget("{envgrid}:r:vm-1", "worker") == null, "the 1 s lease expired");
        expectError(post("/allocate", body("w2", List.of("vm"), 1, "r-6")), 409, "REQUEST_ID_SETTLED");
    }

    @Test
    void aRenewedLeaseKeepsItsRequestIdAnswerAndTheReplayShowsTheNewExpiry() {
        registerPool("vm", 1);
        Map<String, Object> request = body("w1", List.of("vm"), 1, "r-7");
        post("/allocate", request).statusCode(200);
        String renewed = post("/renew", Map.of("worker_id", "w1", "timeout", 3600)).statusCode(200)
                .extract().path("details.vm-1.expires_at");
        long ttl = redis.key().pttl("{envgrid}:req:r-7");
        assertTrue(ttl > 3_500_000L, "the answer lives as long as the renewed lease: " + ttl);
        post("/allocate", request).statusCode(200).header("X-Envgrid-Replayed", "true")
                .body("vm.expires_at", equalTo(renewed));
    }

    @Test
    void waitersWithTheSameRequestIdGetOneGrantAndAnotherBodyIsRefused() throws Exception {
        registerPool("vm", 1);
        Api.allocate("holder", List.of("vm"), 60).statusCode(200);
        Map<String, Object> request = new HashMap<>(body("w1", List.of("vm"), 60, "r-8"));
        request.put("wait_ms", 20_000);
        Map<String, Object> otherBody = new HashMap<>(body("w1", List.of("vm"), 120, "r-8"));
        otherBody.put("wait_ms", 20_000);
        CompletableFuture<ExtractableResponse<Response>> a = CompletableFuture.supplyAsync(() -> post("/allocate", request).extract(), CLIENTS);
        CompletableFuture<ExtractableResponse<Response>> b = CompletableFuture.supplyAsync(() -> post("/allocate", request).extract(), CLIENTS);
        CompletableFuture<ExtractableResponse<Response>> c = CompletableFuture.supplyAsync(() -> post("/allocate", otherBody).extract(), CLIENTS);
        Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:q:vm") == 3, "three waiters queued");
        release("holder", "vm-1").statusCode(200);

        ExtractableResponse<Response> ra = a.get();
        ExtractableResponse<Response> rb = b.get();
        ExtractableResponse<Response> rc = c.get();
        // Whichever of the three is served first decides the request; the others follow it.
        long granted = List.of(ra, rb, rc).stream().filter(r -> r.statusCode() == 200
                && "false".equals(r.header("X-Envgrid-Replayed"))).count();
        assertEquals(1, granted, "one grant");
        Api.stats().body("types.vm.leased", equalTo(1));
        if (rc.statusCode() == 200 && "false".equals(rc.header("X-Envgrid-Replayed"))) {
            assertEquals(409, ra.statusCode());
            assertEquals(409, rb.statusCode());
        } else {
            assertEquals(409, rc.statusCode());
            assertEquals("REQUEST_ID_CONFLICT", rc.path("error.code"));
            assertEquals(ra.<String>path("vm.lease_id"), rb.<String>path("vm.lease_id"));
        }
        assertEquals(0L, redis.sortedSet(String.class).zcard("{envgrid}:q:vm"), "no ticket is left behind");
        assertEquals(0L, redis.sortedSet(String.class).zcard("{envgrid}:tickets"), "no ticket is left behind");
    }

    /**
     * {@code POST /release/request} settles a request whose answer its client never got: what it granted is
     * released, a replay is settled, a second settle releases nothing, and another worker cannot touch it.
     */
    @Test
    void releaseByRequestIdEndsWhatThatRequestGrantedAndSettlesIt() {
        registerPool("vm", 3);
        Api.allocate("w1", List.of("vm"), 60).statusCode(200);   // a lease of the same worker outside the request
        Map<String, Object> request = body("w1", List.of("vm", "vm"), 60, "r-9");
        ExtractableResponse<Response> granted = post("/allocate", request).statusCode(200).extract();
        List<String> leases = List.of(granted.path("vm.lease_id"), granted.path("'vm#2'.lease_id"));

        expectError(post("/release/request", Map.of("worker_id", "w2", "request_id", "r-9")), 409, "REQUEST_ID_CONFLICT")
                .body("error.message", org.hamcrest.Matchers.endsWith("nothing was changed"))
                .body("error.details.applied", equalTo(Map.of()));   // one cell: true
        Api.stats().body("total.leased", equalTo(3));

        post("/release/request", Map.of("worker_id", "w1", "request_id", "r-9")).statusCode(200)
                .body("status", equalTo("completed")).body("released", equalTo(leases));
        Api.stats().body("total.leased", equalTo(1));   // only the lease outside the request is left
        expectError(post("/allocate", request), 409, "REQUEST_ID_SETTLED");
        post("/release/request", Map.of("worker_id", "w1", "request_id", "r-9")).statusCode(200)
                .body("released", equalTo(List.of()));
        Api.stats().body("total.leased", equalTo(1));
    }

    /**
     * A request_id settled before the allocator decided it (the request still in flight or waiting) is
     * withdrawn: the waiting copy is sent back and refused, and a later copy grants nothing either.
     */
    @Test
    void releaseByRequestIdBeforeTheGrantWithdrawsTheRequest() throws Exception {
        registerPool("vm", 1);
        Api.allocate("holder", List.of("vm"), 60).statusCode(200);
        Map<String, Object> request = new HashMap<>(body("w1", List.of("vm"), 60, "r-10"));
        request.put("wait_ms", 20_000);
        CompletableFuture<ExtractableResponse<Response>> waiting =
                CompletableFuture.supplyAsync(() -> post("/allocate", request).extract(), CLIENTS);
        Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:q:vm") == 1, "the request waits");

        post("/release/request", Map.of("worker_id", "w1", "request_id", "r-10")).statusCode(200)
                .body("released", equalTo(List.of()));
        ExtractableResponse<Response> answer = waiting.get();
        assertEquals(409, answer.statusCode(), answer.asString());
        assertEquals("REQUEST_ID_SETTLED", answer.path("error.code"));
        assertEquals(0L, redis.sortedSet(String.class).zcard("{envgrid}:q:vm"), "no ticket is left behind");

        release("holder", "vm-1").statusCode(200);
        expectError(post("/allocate", body("w1", List.of("vm"), 60, "r-10")), 409, "REQUEST_ID_SETTLED");
        Api.stats().body("total.leased", equalTo(0));
    }

    @Test
    void releaseByRequestIdRefusesAMalformedBody() {
        expectError(post("/release/request", Map.of("worker_id", "w1")), 400, "INVALID_ID");
        expectError(post("/release/request", Map.of("worker_id", "w1", "request_id", "../x")), 400, "INVALID_ID");
    }

    /**
     * Settling another worker's request_id while that worker's allocate still waits with it (no saved answer yet,
     * only the waiting ticket) is a conflict that changes nothing: no withdrawn marker in the caller's name, the
     * waiter keeps waiting and is granted (review8's probe).
     */
    @Test
    void settlingAnotherWorkersWaitingRequestIsAConflictAndTheWaiterIsStillGranted() throws Exception {
        registerPool("vm", 1);
        Api.allocate("holder", List.of("vm"), 60).statusCode(200);
        Map<String, Object> request = new HashMap<>(body("victim", List.of("vm"), 60, "r-77"));
        request.put("wait_ms", 20_000);
        CompletableFuture<ExtractableResponse<Response>> waiting =
                CompletableFuture.supplyAsync(() -> post("/allocate", request).extract(), CLIENTS);
        Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:q:vm") == 1, "the victim waits");

        expectError(post("/release/request", Map.of("worker_id", "attacker", "request_id", "r-77")), 409,
                "REQUEST_ID_CONFLICT").body("error.message", org.hamcrest.Matchers.endsWith("nothing was changed"));
        assertEquals(null, redis.value(String.class).get("{envgrid}:req:r-77"), "no marker in the caller's name");
        assertEquals(1L, redis.sortedSet(String.class).zcard("{envgrid}:q:vm"), "the victim still waits");

        release("holder", "vm-1").statusCode(200);
        ExtractableResponse<Response> answer = waiting.get();
        assertEquals(200, answer.statusCode(), answer.asString());
        // The victim's retry is its replay, not a conflict with a marker left by the other worker.
        post("/allocate", body("victim", List.of("vm"), 60, "r-77")).statusCode(200).header("X-Envgrid-Replayed", "true");
    }

    /**
     * A lease of the request that is past its expiry but not yet reclaimed is judged as {@code /release} judges it:
     * reclaimed as an expiry (listed under {@code expired}, audited {@code expire}), not released.
     */
    @Test
    void settlingARequestWhoseLeaseRanPastItsExpiryReclaimsItAsAnExpiry() {
        registerPool("vm", 1);
        String lease = post("/allocate", body("w1", List.of("vm"), 60, "r-3")).statusCode(200).extract().path("vm.lease_id");
        // Past its expiry in the lease itself, but not in the reaper's index: nothing reclaims it first.
        redis.hash(String.class).hset("{envgrid}:r:vm-1", "expires", "1");

        post("/release/request", Map.of("worker_id", "w1", "request_id", "r-3")).statusCode(200)
                .body("released", equalTo(List.of())).body("expired", equalTo(List.of(lease)));
        Api.stats().body("total.leased", equalTo(0));
        expectError(post("/allocate", body("w1", List.of("vm"), 60, "r-3")), 409, "REQUEST_ID_SETTLED");
    }

    /**
     * An abandoned grant already past its expiry is reclaimed as an expiry (audited {@code expire}), as a release and
     * {@code /release/request} judge it, not as an abandon (found by review).
     */
    @Test
    void anAbandonedLeasePastItsExpiryIsReclaimedAsAnExpiry() {
        registerPool("vm", 1);
        String lease = post("/allocate", body("w1", List.of("vm"), 60, "r-9")).statusCode(200).extract().path("vm.lease_id");
        redis.hash(String.class).hset("{envgrid}:r:vm-1", "expires", "1");

        abandon("w1", "r-9", lease);

        Api.stats().body("total.leased", equalTo(0));
        List<String> kinds = redis.stream(String.class).xrange("{envgrid}:events", StreamRange.of("-", "+"))
                .stream().map(m -> m.payload().get("kind")).toList();
        assertEquals("expire", kinds.get(kinds.size() - 1), kinds.toString());
    }

    /**
     * The abandon of a grant that arrives after {@code /release/request} settled its request (the client's connection
     * noticed closed late) leaves the settled answer: a late copy of the request is still refused, not granted again.
     */
    @Test
    void anAbandonAfterTheRequestWasSettledKeepsItSettled() {
        registerPool("vm", 1);
        String lease = post("/allocate", body("w1", List.of("vm"), 60, "r-8")).statusCode(200).extract().path("vm.lease_id");
        post("/release/request", Map.of("worker_id", "w1", "request_id", "r-8")).statusCode(200)
                .body("released", equalTo(List.of(lease)));

        abandon("w1", "r-8", lease);

        expectError(post("/allocate", body("w1", List.of("vm"), 60, "r-8")), 409, "REQUEST_ID_SETTLED");
        Api.stats().body("total.leased", equalTo(0));
    }

    /**
     * A grant handed to a retry as a replay is the worker's: the first call's close, noticed after (it was still in its
     * replica {@code WAIT} when its client gave up on it and retried), abandons nothing. Before, the abandon released
     * the lease the worker had just been handed, and the resource went to the next worker (found by review). When the
     * replay's own client is gone as well, its abandon gives the last handing back and the lease ends.
     */
    @Test
    void anAbandonEndsAReplayedGrantOnlyOnceEveryCallHandedItIsGone() {
        registerPool("vm", 1);
        String lease = post("/allocate", body("w1", List.of("vm"), 60, "r-7")).statusCode(200).extract().path("vm.lease_id");
        post("/allocate", body("w1", List.of("vm"), 60, "r-7")).statusCode(200).body("vm.lease_id", equalTo(lease));

        assertEquals(0L, abandon("w1", "r-7", lease), "the first call's late close: the replay's client holds it");
        Api.stats().body("total.leased", equalTo(1));
        expectError(Api.allocate("w2", List.of("vm"), 60), 409, "INSUFFICIENT_RESOURCES");

        assertEquals(1L, abandon("w1", "r-7", lease), "the replay's client gone too: nobody holds it");
        Api.stats().body("total.leased", equalTo(0));
    }

    /**
     * An abandon retried after an outage that meets a later grant of the same {@code request_id} (the first abandon
     * ran, its answer lost; the client's retry was granted afresh) leaves that grant's answer: a further retry is
     * replayed, not granted a second resource (found by review).
     */
    @Test
    void aStaleAbandonLeavesALaterGrantOfTheSameRequestId() {
        registerPool("vm", 2);
        String first = post("/allocate", body("w1", List.of("vm"), 60, "r-6")).statusCode(200).extract().path("vm.lease_id");
        assertEquals(1L, abandon("w1", "r-6", first));
        String second = post("/allocate", body("w1", List.of("vm"), 60, "r-6")).statusCode(200).extract().path("vm.lease_id");

        assertEquals(0L, abandon("w1", "r-6", first), "the retried abandon finds nothing of its own");

        post("/allocate", body("w1", List.of("vm"), 60, "r-6")).statusCode(200).body("vm.lease_id", equalTo(second));
        Api.stats().body("total.leased", equalTo(1));
    }

    /**
     * An abandon whose script ran but whose answer was lost (the connection cut after it) is asked again with the same
     * identity ({@code PersistentCleanups} retries the same cleanup): the repeat gives back no second handing. Before
     * (review 19, gap M2), it did, and ended the leases a replay had handed meanwhile to a client that holds them.
     */
    @Test
    void anAbandonAskedAgainAfterItsAnswerWasLostGivesBackOneHandingOnly() {
        registerPool("vm", 1);
        String lease = post("/allocate", body("w1", List.of("vm"), 60, "r-5")).statusCode(200).extract().path("vm.lease_id");
        // The retry of a client that gave up on the first call (still in its replica WAIT) is handed the grant.
        String token = post("/allocate", body("w1", List.of("vm"), 60, "r-5")).statusCode(200)
                .body("vm.lease_id", equalTo(lease)).extract().path("vm.lease_token");

        assertEquals(0L, abandon("abandon-1", "w1", "r-5", lease), "the first call's close gives its handing back");
        assertEquals(0L, abandon("abandon-1", "w1", "r-5", lease), "the same abandon, asked again: its answer was lost");

        post("/leases/verify", Map.of("resource_id", "vm-1", "lease_token", token)).statusCode(200)
                .body("lease_id", equalTo(lease));
        post("/allocate", body("w1", List.of("vm"), 60, "r-5")).statusCode(200).body("vm.lease_id", equalTo(lease));
        // That replay's client and the one before it gone as well: their own abandons end the lease.
        assertEquals(0L, abandon("abandon-2", "w1", "r-5", lease));
        assertEquals(1L, abandon("abandon-3", "w1", "r-5", lease), "the last handing given back");
        assertEquals(0L, abandon("abandon-3", "w1", "r-5", lease), "asked again, it ends nothing more");
        Api.stats().body("total.leased", equalTo(0));
    }

    /**
     * Review 21: a worker that replays one request and drops each replay's connection (a handing, then its close: an
     * abandon with a fresh identity) adds one identity to the kept answer's {@code abandons} per round, and nothing
     * ever drops one while {@code handed} stays above none; its renewals keep the answer alive with the lease. The
     * answer, which every replay and abandon decodes and writes back whole inside Redis, grows without bound. It must
     * stay as large as one round left it.
     */
    @Test
    void replaysWhoseClientsGoDoNotGrowTheKeptAnswerWithoutBound() {
        registerPool("vm", 1);
        Map<String, Object> request = body("w1", List.of("vm"), 60, "r-grow");
        String lease = post("/allocate", request).statusCode(200).extract().path("vm.lease_id");
        post("/allocate", request).statusCode(200).body("vm.lease_id", equalTo(lease));
        assertEquals(0L, abandon("w1", "r-grow", lease), "the replay's client gone: its handing given back");
        long afterOneRound = redis.value(String.class).strlen("{envgrid}:req:r-grow");
        // abandon.lua keeps the last 8 identities: past those the record must not grow at all
        int warmUp = 20;
        int rounds = 300;
        long afterWarmUp = 0;
        for (int i = 0; i < rounds; i++) {
            post("/allocate", request).statusCode(200).body("vm.lease_id", equalTo(lease));
            assertEquals(0L, abandon("w1", "r-grow", lease), "round " + i + ": the first call's handing still held");
            if (i == warmUp) {
                afterWarmUp = redis.value(String.class).strlen("{envgrid}:req:r-grow");
            }
        }

        long afterManyRounds = redis.value(String.class).strlen("{envgrid}:req:r-grow");
        assertEquals(afterWarmUp, afterManyRounds, "the kept answer grew from " + afterOneRound + " bytes (one round) and "
                + afterWarmUp + " (" + warmUp + " rounds) to " + afterManyRounds + " over " + rounds
                + " rounds of a replay and its abandon");
        assertTrue(afterManyRounds < afterOneRound + 8 * 64, "at most 8 identities kept: " + afterManyRounds);
        Api.stats().body("total.leased", equalTo(1));
    }

    /** One abandon, run once (a fresh identity). */
    private long abandon(String worker, String requestId, String lease) {
        return abandon(UUID.randomUUID().toString(), worker, requestId, lease);
    }

    /** One run of the abandon {@code identity} (abandon.lua's first argument, kept across its retries). */
    private long abandon(String identity, String worker, String requestId, String lease) {
        return scripts.run(cells.defaultCell().keys(), AllocatorScript.ABANDON, List.of(identity, worker, requestId, lease))
                .await().indefinitely().toLong();
    }
}

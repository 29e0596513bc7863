package io.envgrid.vmcontroller.session;

import static io.envgrid.vmcontroller.support.Api.expectError;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.LeaseRecords;
import io.envgrid.vmcontroller.support.Conditions;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithRedis;

/** Opening, showing and closing sessions, and what ends them; the hostile cases are in {@link HostileWorkerTest}. */
@QuarkusTest
@WithRedis
class SessionTest extends WithFakeVm {

    private static final String EXPIRED_CHANNEL = "{envgrid}:ch:expired";

    @Test
    void opensFromTheLeaseRecordAndShowsItWithoutTheVmToken() {
        Api.get(token, worker, resource).statusCode(200)
                .body("worker_id", equalTo(worker))
                .body("resource_id", equalTo(resource))
                .body("type", equalTo("vm_pyautogui"))
                .body("ip", equalTo("127.0.0.1"))
                .body("port", equalTo(vm.port()))
                .body("lease_id", equalTo(grant.leaseId()))
                .body("fencing_token", equalTo((int) grant.fence()))
                .body("state", equalTo("active"))
                .body("$", not(hasKey("token")));
        assertTrue(redis.key().exists(sessionKey()), "sessions live in Redis under the shared hash tag");
        assertEquals(Long.toString(grant.fence()), redis.hash(String.class).hget("{envgrid}:vmc:fence", resource),
                "the highest fencing token seen for the resource is remembered for every replica");
    }

    @Test
    void theSameGrantTwiceIsTheSameSession() {
        Api.open(worker, grant.entry()).statusCode(200).body("state", equalTo("active"))
                .body("lease_id", equalTo(grant.leaseId()));
    }

    @Test
    void deleteEndsTheSessionAndLaterRequestsGet409WithoutReachingTheVm() {
        Api.delete(token, worker, resource).statusCode(200)
                .body("state", equalTo("ended")).body("ended_reason", equalTo("deleted"));
        expectError(Api.delete(token, worker, resource), 409, "SESSION_ENDED");
        expectError(Api.read(token, worker, resource, "screenshot"), 409, "SESSION_ENDED");
        expectError(Api.act(token, worker, resource, "actions/pyautogui", Map.of("code", "pyautogui.click()")),
                409, "SESSION_ENDED");
        assertEquals(0, vm.received().size());
    }

    @Test
    void aClosedLeaseSessionIsNotReopened() {
        Api.delete(token, worker, resource).statusCode(200);
        expectError(Api.open(worker, grant.entry()), 409, "SESSION_ENDED");
    }

    @Test
    void aLeaseExpiryPublishedByTheAllocatorEndsTheSessionEarly() {
        publish(worker, grant.leaseId(), "expired");
        Conditions.await(() -> "ended".equals(state()), "session ended by the expiry message");
        assertEquals("lease_expired", redis.hash(String.class).hget(sessionKey(), "ended_reason"));
        expectError(Api.act(token, worker, resource, "commands", Map.of("command", new String[] {"ls"})),
                409, "LEASE_NOT_LIVE");
        assertEquals(0, vm.received().size());
    }

    @Test
    void anExpiryOfAnotherLeaseLeavesTheSessionAlone() {
        publish(worker, "lease-of-an-earlier-grant", "revoked");
        // A later message on the same channel, handled in order, proves the first one was handled.
        String witness = "witness-" + vm.port();
        redis.hash(String.class).hset("{envgrid}:vmc:session:" + witness + ":" + resource,
                Map.of("state", "active", "lease_id", "l-w"));
        publish(witness, "l-w", "expired");
        Conditions.await(() -> "ended".equals(redis.hash(String.class)
                .hget("{envgrid}:vmc:session:" + witness + ":" + resource, "state")), "witness session ended");
        assertEquals("active", state());
        Api.read(token, worker, resource, "platform").statusCode(200);
    }

    @Test
    void aFencingTokenHeaderOtherThanTheSessionsIsRefusedWithoutReachingTheVm() {
        expectError(Api.as(token).header("X-Fencing-Token", Long.toString(grant.fence() - 1))
                .get(Api.session(worker, resource) + "/screenshot").then(), 409, "STALE_FENCING_TOKEN")
                .body("error.details.current_fencing_token", equalTo((int) grant.fence()));
        expectError(Api.as(token).header("X-Fencing-Token", "x").get(Api.session(worker, resource) + "/screenshot")
                .then(), 400, "INVALID_PARAMETERS");
        assertEquals(0, vm.received().size());
        Api.as(token).header("X-Fencing-Token", Long.toString(grant.fence()))
                .get(Api.session(worker, resource) + "/screenshot").then().statusCode(200);
    }

    @Test
    void aNewLeaseOfTheSameWorkerReplacesTheSessionAndTheOldTokenStopsWorking() {
        leases.release(resource);
        LeaseRecords.Grant next = leases.grant(resource, worker);
        Api.open(worker, next.entry()).statusCode(201).body("fencing_token", equalTo((int) next.fence()))
                .body("lease_id", equalTo(next.leaseId()));
        expectError(Api.read(token, worker, resource, "platform"), 409, "LEASE_NOT_LIVE");
        expectError(Api.open(worker, grant.entry()), 409, "LEASE_NOT_LIVE");
        Api.read(next.leaseToken(), worker, resource, "platform").statusCode(200);
        assertEquals(next.leaseToken(), vm.received("/platform").get(0).leaseToken());
    }

    @Test
    void aHigherFencingTokenSeenForTheResourceRefusesTheSession() {
        // Another replica saw a newer lease of this resource (the allocator's record is behind it).
        redis.hash(String.class).hset("{envgrid}:vmc:fence", resource, Long.toString(grant.fence() + 5));
        expectError(Api.read(token, worker, resource, "platform"), 409, "STALE_FENCING_TOKEN")
                .body("error.details.current_fencing_token", equalTo((int) grant.fence() + 5));
        assertEquals("stale_fencing_token", redis.hash(String.class).hget(sessionKey(), "ended_reason"));
        expectError(Api.read(token, worker, resource, "platform"), 409, "STALE_FENCING_TOKEN");
        expectError(Api.open(worker, grant.entry()), 409, "STALE_FENCING_TOKEN");
        assertEquals(0, vm.received().size());
    }

    @Test
    void theVmAddressMayComeFromAnHttpBaseUrl() {
        String id = "vm-by-url-" + vm.port();
        leases.register(id, "vm_pyautogui", new JsonObject().put("base_url", "http://127.0.0.1:" + vm.port()));
        LeaseRecords.Grant g = leases.grant(id, worker);
        Api.open(worker, g.entry()).statusCode(201).body("ip", equalTo("127.0.0.1")).body("port", equalTo(vm.port()));
        Api.read(g.leaseToken(), worker, id, "platform").statusCode(200).body("platform", equalTo("Linux"));
    }

    @Test
    void aResourceWithoutAVmEndpointIsRefused() {
        String id = "rag-" + vm.port();
        leases.register(id, "rag", new JsonObject().put("base_url", "https://rag.example").put("collection", "c"));
        LeaseRecords.Grant g = leases.grant(id, worker);
        expectError(Api.open(worker, g.entry()), 400, "INVALID_PARAMETERS");
        assertFalse(redis.key().exists("{envgrid}:vmc:session:" + worker + ":" + id));
    }

    @Test
    void aMissingSessionIs404OnlyToTheLiveLeasesHolder() {
        String id = "vm-no-session-" + vm.port();
        leases.registerVm(id, vm.port());
        LeaseRecords.Grant g = leases.grant(id, worker);
        expectError(Api.get(g.leaseToken(), worker, id), 404, "SESSION_NOT_FOUND");
        expectError(Api.delete(g.leaseToken(), worker, id), 404, "SESSION_NOT_FOUND");
        expectError(Api.read(g.leaseToken(), worker, id, "observation"), 404, "SESSION_NOT_FOUND");
        // Anyone else learns nothing about sessions or leases (LeaseSecrecyTest has the whole table).
        expectError(Api.get(token, "nobody", "nothing"), 409, "LEASE_NOT_LIVE");
        expectError(Api.get(token, worker, id), 409, "LEASE_NOT_LIVE");
    }

    @Test
    void badRequestsAre4xxAndStoreNothing() {
        Map<String, Object> noToken = new HashMap<>(grant.entry());
        noToken.remove("lease_token");
        expectError(Api.open(worker, noToken), 401, "UNAUTHORIZED");
        Map<String, Object> hugeToken = new HashMap<>(grant.entry());
        hugeToken.put("lease_token", "elt_" + "x".repeat(10_000));
        expectError(Api.open(worker, hugeToken), 401, "UNAUTHORIZED");
        expectError(Api.post("/sessions", Map.of("resource", grant.entry())), 400, "INVALID_ID");
        Map<String, Object> noId = new HashMap<>(grant.entry());
        noId.remove("id");
        expectError(Api.open(worker, noId), 400, "INVALID_ID");
        expectError(Api.post("/sessions", Map.of("worker_id", worker)), 400, "INVALID_PARAMETERS");
        expectError(Api.post("/sessions", Map.of("worker_id", worker, "resource", "vm-bad")), 400, "MALFORMED_JSON");
        expectError(given().contentType("application/json").body("{").post("/sessions").then(), 400, "MALFORMED_JSON");
        expectError(Api.get(null, worker, resource), 401, "UNAUTHORIZED");
        expectError(Api.get(" ", worker, resource), 401, "UNAUTHORIZED");
        assertEquals(1, redis.key().keys("{envgrid}:vmc:session:*" + resource).size());
    }

    private String sessionKey() {
        return "{envgrid}:vmc:session:" + worker + ":" + resource;
    }

    private String state() {
        return redis.hash(String.class).hget(sessionKey(), "state");
    }

    private void publish(String who, String leaseId, String reason) {
        redis.pubsub(String.class).publish(EXPIRED_CHANNEL, new JsonObject().put("resource_id", resource)
                .put("type", "vm_pyautogui").put("worker_id", who).put("lease_id", leaseId)
                .put("fencing_token", grant.fence()).put("reason", reason).encode());
    }
}

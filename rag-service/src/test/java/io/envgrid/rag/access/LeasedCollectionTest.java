package io.envgrid.rag.access;

import static io.envgrid.rag.api.Api.operator;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.envgrid.rag.registration.RealAllocator;
import io.envgrid.rag.registration.WithRealAllocator;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The access rule against the real allocator (docs/isolation.md, "rag-service"): a leased collection is read and
 * written only with its live lease token or the service token; an ended lease's token stops working on the next call;
 * only the service token creates collections, and a refused creation registers nothing.
 */
@QuarkusTest
@WithRealAllocator
class LeasedCollectionTest {

    private static final String LEASE_HEADER = Credentials.LEASE_TOKEN_HEADER;

    /** A grant of one {@code rag} resource: which collection, and the credential that comes with it. */
    record Grant(String worker, String resourceId, String collection, String leaseToken) {
    }

    @Test
    void aLeasedCollectionTakesOnlyItsLiveLeaseTokenOrTheServiceToken() {
        String suffix = unique();
        Grant alice = grant("alice-" + suffix, 600);
        Grant bob = grant("bob-" + suffix, 600);
        assertNotEquals(alice.collection(), bob.collection());
        String c = alice.collection();
        int documents = count(c);

        // the holder reads and writes with its token
        search(with(alice), c).statusCode(200);
        put(with(alice), c, "by-alice").statusCode(200);
        given().header(LEASE_HEADER, alice.leaseToken()).delete("/collections/" + c + "/documents/by-alice").then().statusCode(204);

        // nobody else: no credential, a bearer that is not the service token, another lease's token, a malformed token
        refused(search(given(), c), 401, "UNAUTHORIZED");
        refused(search(given().header("Authorization", "Bearer not-the-token"), c), 401, "UNAUTHORIZED");
        refused(search(with(bob), c), 409, "LEASE_NOT_LIVE");
        refused(search(given().header(LEASE_HEADER, "elt_short"), c), 401, "UNAUTHORIZED");
        refused(put(given(), c, "intruder"), 401, "UNAUTHORIZED");
        refused(put(with(bob), c, "intruder"), 409, "LEASE_NOT_LIVE");
        refused(given().header(LEASE_HEADER, bob.leaseToken()).delete("/collections/" + c + "/documents/d1").then(), 409, "LEASE_NOT_LIVE");
        refused(ingest(with(bob), c), 409, "LEASE_NOT_LIVE");
        assertEquals(documents, count(c), "refused writes changed nothing");

        // the service token may do everything
        search(operator(), c).statusCode(200);
        put(operator(), c, "by-operator").statusCode(200);
        assertEquals(documents + 1, count(c));

        // released: alice's token stops at once, for reads and writes; the collection is open to read again
        release(alice);
        refused(search(with(alice), c), 409, "LEASE_NOT_LIVE");
        refused(put(with(alice), c, "late"), 409, "LEASE_NOT_LIVE");
        search(given(), c).statusCode(200);
        refused(put(given(), c, "anonymous"), 401, "UNAUTHORIZED");
        assertEquals(documents + 1, count(c));
        release(bob);
    }

    @Test
    void aTokenOfAnEndedLeaseStaysRefusedAfterTheCollectionIsGrantedAgain() {
        String suffix = unique();
        Grant first = grant("first-" + suffix, 600);
        release(first);
        // the free collections are leased one by one until the same one comes back to a new holder with a new token
        List<Grant> others = new ArrayList<>();
        Grant again;
        do {
            again = allocate("again-" + others.size() + "-" + suffix, 600);
            others.add(again);
        } while (!again.collection().equals(first.collection()));
        refused(search(with(first), first.collection()), 409, "LEASE_NOT_LIVE");
        refused(put(with(first), first.collection(), "stale"), 409, "LEASE_NOT_LIVE");
        refused(search(given(), first.collection()), 401, "UNAUTHORIZED");
        search(with(again), first.collection()).statusCode(200);
        others.forEach(LeasedCollectionTest::release);
    }

    @Test
    void anExpiredLeaseTokenIsRefused() {
        Grant brief = grant("brief-" + unique(), 1);
        // no sleeping: wait until the allocator itself no longer calls the lease live
        RealAllocator.await("the 1 s lease to expire", () -> RealAllocator.given().contentType(ContentType.JSON)
                .body(Map.of("resource_id", brief.resourceId(), "lease_token", brief.leaseToken()))
                .post("/leases/verify").statusCode() == 409);
        int documents = count(brief.collection());
        refused(search(with(brief), brief.collection()), 409, "LEASE_NOT_LIVE");
        refused(put(with(brief), brief.collection(), "expired"), 409, "LEASE_NOT_LIVE");
        assertEquals(documents, count(brief.collection()));
        release(brief);
    }

    @Test
    void onlyTheServiceTokenCreatesACollectionAndARefusedOneIsNeverRegistered() {
        String suffix = unique();
        Grant holder = grant("holder-" + suffix, 600);
        String refusedName = "never-" + suffix;
        refused(ingest(given(), refusedName), 401, "UNAUTHORIZED");
        refused(ingest(given().header("Authorization", "Bearer not-the-token"), refusedName), 401, "UNAUTHORIZED");
        refused(ingest(with(holder), refusedName), 401, "UNAUTHORIZED");
        refused(given().contentType(ContentType.JSON).body(Map.of("text", "t")).put("/collections/" + refusedName + "/documents/x").then(),
                401, "UNAUTHORIZED");
        given().get("/collections").then().statusCode(200).body("name", not(hasItem(refusedName)));
        // a collection the operator creates afterwards is registered in a later pass, which would have taken the other too
        String marker = "marker-" + suffix;
        ingest(operator(), marker).statusCode(200);
        RealAllocator.await(marker + " registered", () -> RealAllocator.given().get("/resources/rag:test:" + marker).statusCode() == 200);
        RealAllocator.given().get("/resources/rag:test:" + refusedName).then().statusCode(404);
        release(holder);
    }

    /** A grant of one of at least two free collections. */
    private static Grant grant(String worker, int seconds) {
        ensureFreeCollections(2);
        return allocate(worker, seconds);
    }

    private static Grant allocate(String worker, int seconds) {
        Map<String, Object> entry = RealAllocator.given().contentType(ContentType.JSON)
                .body(Map.of("worker_id", worker, "resource_types", List.of("rag"), "timeout", seconds))
                .post("/allocate").then().statusCode(200).extract().path("rag");
        return new Grant(worker, (String) entry.get("id"), (String) entry.get("collection"), (String) entry.get("lease_token"));
    }

    /** At least {@code n} collections nobody leases, registered: each test leases what it needs from them. */
    private static void ensureFreeCollections(int n) {
        for (int i = 0; i < n; i++) {
            String name = "pool-" + unique();
            ingest(operator(), name).statusCode(200);
            RealAllocator.await(name + " registered", () -> RealAllocator.given().get("/resources/rag:test:" + name).statusCode() == 200);
        }
    }

    private static void release(Grant grant) {
        RealAllocator.given().contentType(ContentType.JSON).body(Map.of("worker_id", grant.worker()))
                .post("/release/worker").then().statusCode(200);
    }

    private static RequestSpecification with(Grant grant) {
        return given().header(LEASE_HEADER, grant.leaseToken());
    }

    private static ValidatableResponse search(RequestSpecification request, String collection) {
        return request.contentType(ContentType.JSON).body(Map.of("query", "fencing tokens", "collection", collection, "mode", "bm25"))
                .post("/search").then();
    }

    private static ValidatableResponse put(RequestSpecification request, String collection, String id) {
        return request.contentType(ContentType.JSON).body(Map.of("text", "written by " + id)).put("/collections/" + collection + "/documents/" + id)
                .then();
    }

    private static ValidatableResponse ingest(RequestSpecification request, String collection) {
        return request.contentType("application/x-ndjson")
                .body("{\"id\":\"d1\",\"text\":\"fencing tokens stop double grants\"}\n".getBytes(StandardCharsets.UTF_8))
                .post("/collections/" + collection + "/documents").then();
    }

    private static void refused(ValidatableResponse response, int status, String code) {
        response.statusCode(status).body("error.code", equalTo(code));
    }

    private static int count(String collection) {
        Integer documents = operator().get("/collections").then().statusCode(200)
                .extract().path("find { it.name == '" + collection + "' }.documents");
        return documents == null ? 0 : documents;
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}

package io.envgrid.gateway.sandbox.session;

import static io.envgrid.gateway.support.SandboxHttp.post;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.client.LeaseToken;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.RecordingEndpoint;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Sandbox session of the {@code rag} backend (the shipped profile's {@code rag}, which names no collection) that
 * names a leased collection in its config: it leases the collection for the session's worker at creation, searches
 * with that lease's {@code base_url} and token, and gives the lease back when it is destroyed; a second worker's
 * session for the collection is refused, or waits, as for a taken desktop; a session naming no collection holds
 * nothing and searches as before; one the allocator cannot grant by itself (its type offers other collections too) is
 * refused with nothing leased. The rag instance is a recorder standing in for rag-service (the configured one,
 * and the server of each collection registered with the real allocator here).
 */
@QuarkusTest
@WithCluster
@WithTestResource(RagSessionLeaseTest.RagService.class)
class RagSessionLeaseTest {

    /** The gateway's configured rag-service ({@code envgrid.rag.url}, which the backend's warm-up asks) is the recorder. */
    public static class RagService implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            rag = RecordingEndpoint.start(path -> path.equals("/search")
                    ? "{\"results\": [{\"id\": \"d1\", \"score\": 1.0, \"text\": \"t\", \"metadata\": {}}], \"took_ms\": 1}"
                    : "{\"status\": \"UP\"}");
            return Map.of("envgrid.rag.url", rag.url());
        }

        @Override
        public void stop() {
            rag.close();
        }
    }

    /** The rag instance: the shared one and the server of every collection offered here. */
    static RecordingEndpoint rag;

    @Inject
    RedisDataSource redis;

    @BeforeEach
    void forget() {
        rag.forget();
    }

    private static List<RecordingEndpoint.Seen> searches() {
        return rag.at("/search");
    }

    /** Offers {@code collection} for lease as the one resource of its own type, served by the recorder. */
    private static String offer(String suffix, String collection) {
        String id = "rag-session-" + suffix;
        TestCluster.get().allocatorCall("POST", "/resources", "{\"id\": \"" + id + "\", \"type\": \"rag_session_" + suffix
                + "\", \"endpoint\": {\"base_url\": \"" + rag.url() + "\", \"collection\": \"" + collection
                + "\"}, \"labels\": {\"collection\": \"" + collection + "\"}}");
        return id;
    }

    private static Response create(String worker, String config) {
        return post("/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"rag\""
                + (config == null ? "" : ", \"config\": " + config) + "}");
    }

    private static Response search(String worker, String params) {
        return post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"rag:search\", \"params\": " + params + "}");
    }

    private static Response destroy(String worker) {
        return post("/session/destroy", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"rag\"}");
    }

    /** The lease token the gateway keeps for the worker's one resource. */
    private String tokenOf(String worker) {
        List<String> entries = List.copyOf(redis.hash(String.class).hgetall("{envgrid-gw}:worker:" + worker + ":resources")
                .values());
        assertEquals(1, entries.size(), entries.toString());
        return McpSteps.readTree(entries.get(0)).path(LeaseToken.FIELD).asText();
    }

    private static List<String> leasedIds(String worker) {
        List<String> ids = new ArrayList<>();
        TestCluster.get().leasesOf(worker).forEach(l -> ids.add(l.path("resource_id").asText()));
        return ids;
    }

    @Test
    void aSessionLeasesItsCollectionSearchesWithThatLeaseAndReleasesItWhenDestroyed() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String collection = "docs-" + suffix;
        String resourceId = offer(suffix, collection);
        String alice = "rag-session-alice-" + suffix;
        String bob = "rag-session-bob-" + suffix;

        Response created = create(alice, "{\"collection\": \"" + collection + "\"}");
        created.then().statusCode(200).body("created", equalTo(true)).body("resource.id", equalTo(resourceId))
                .body("resource.collection", equalTo(collection));
        String sessionId = created.path("session_id");
        assertEquals(List.of(resourceId), leasedIds(alice), "the allocator shows the collection held by the session's worker");

        // the search goes to the lease's base_url with the lease's token, and names the session's collection
        search(alice, "{\"query\": \"fencing\"}").then().statusCode(200).body("success", equalTo(true))
                .body("temporary_session", equalTo(false)).body("session_id", equalTo(sessionId))
                .body("data.results[0].id", equalTo("d1"));
        assertEquals(1, searches().size(), searches().toString());
        assertEquals(collection, searches().get(0).body().path("collection").asText());
        assertEquals(tokenOf(alice), searches().get(0).leaseToken());
        assertTrue(searches().get(0).leaseToken().startsWith("elt_"), searches().get(0).toString());

        // another worker: its session is refused as for a taken desktop, and it cannot search through Alice's lease
        create(bob, "{\"collection\": \"" + collection + "\"}").then().statusCode(409)
                .body("error.code", equalTo("INSUFFICIENT_RESOURCES"));
        post("/session/list", "{\"worker_id\": \"" + bob + "\"}").then().body("count", equalTo(0));
        search(bob, "{\"query\": \"fencing\", \"collection\": \"" + collection + "\"}").then().statusCode(409)
                .body("error.code", equalTo("LEASE_NOT_LIVE"));
        assertEquals(1, searches().size(), "rag-service was not asked for Bob");

        destroy(alice).then().statusCode(200).body("destroyed", equalTo(true));
        assertEquals(List.of(), leasedIds(alice), "destroying the session released the collection");
        assertEquals("free", McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/resources/" + resourceId, null)
                .body()).path("state").asText());
        search(alice, "{\"query\": \"fencing\", \"collection\": \"" + collection + "\"}").then().statusCode(409)
                .body("error.code", equalTo("LEASE_NOT_LIVE"));

        // now free: Bob's session gets it
        create(bob, "{\"collection\": \"" + collection + "\"}").then().statusCode(200).body("resource.id", equalTo(resourceId));
        assertEquals(List.of(resourceId), leasedIds(bob));
        destroy(bob).then().statusCode(200);
        assertEquals(List.of(), leasedIds(bob));
    }

    @Test
    void aSecondSessionForTheCollectionWaitsForItLikeOneForATakenDesktop() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String collection = "wait-" + suffix;
        String resourceId = offer(suffix, collection);
        String alice = "rag-wait-alice-" + suffix;
        String bob = "rag-wait-bob-" + suffix;
        create(alice, "{\"collection\": \"" + collection + "\"}").then().statusCode(200);

        CompletableFuture<Response> bobs = CompletableFuture.supplyAsync(() -> create(bob, "{\"collection\": \""
                + collection + "\", \"wait_ms\": 30000}"));
        Conditions.await("Bob's session waiting for the collection", Duration.ofSeconds(10), () -> "creating".equals(
                McpSteps.readTree(post("/session/list", "{\"worker_id\": \"" + bob + "\"}").asString())
                        .path("sessions").path(0).path("state").asText()));
        assertEquals(List.of(), leasedIds(bob));

        destroy(alice).then().statusCode(200);
        Response granted = bobs.get(30, TimeUnit.SECONDS);
        granted.then().statusCode(200).body("resource.id", equalTo(resourceId));
        assertEquals(List.of(resourceId), leasedIds(bob));
        search(bob, "{\"query\": \"q\"}").then().body("success", equalTo(true));
        assertEquals(tokenOf(bob), searches().get(searches().size() - 1).leaseToken());
        destroy(bob).then().statusCode(200);
        assertEquals(List.of(), leasedIds(bob));
    }

    @Test
    void aCollectionWhoseTypeOffersOtherCollectionsIsRefusedBeforeAnythingIsLeased() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String type = "rag_shared_" + suffix;
        for (String collection : List.of("one-" + suffix, "two-" + suffix)) {
            TestCluster.get().allocatorCall("POST", "/resources", "{\"id\": \"rag-shared-" + collection + "\", \"type\": \""
                    + type + "\", \"endpoint\": {\"base_url\": \"" + rag.url() + "\", \"collection\": \"" + collection
                    + "\"}, \"labels\": {\"collection\": \"" + collection + "\"}}");
        }
        String worker = "rag-shared-" + suffix;
        // the allocator grants by type: a grant of this type could be the other collection
        create(worker, "{\"collection\": \"one-" + suffix + "\"}").then().statusCode(409)
                .body("error.code", equalTo("COLLECTION_NOT_LEASABLE")).body("error.details.collection", equalTo("one-" + suffix));
        assertEquals(List.of(), leasedIds(worker));
        post("/session/list", "{\"worker_id\": \"" + worker + "\"}").then().body("count", equalTo(0));
    }

    @Test
    void aSessionNamingNoLeasedCollectionHoldsNothingAndSearchesAsBefore() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String collection = "kept-" + suffix;
        offer(suffix, collection);
        String worker = "rag-plain-" + suffix;

        // no collection: a session that holds nothing; a leased collection is still refused without its lease
        create(worker, null).then().statusCode(200).body("created", equalTo(true)).body("resource", nullValue());
        assertEquals(List.of(), leasedIds(worker));
        search(worker, "{\"query\": \"q\", \"collection\": \"" + collection + "\"}").then().statusCode(409)
                .body("error.code", equalTo("LEASE_NOT_LIVE"));
        destroy(worker).then().statusCode(200);

        // a collection nobody can lease: nothing leased, searched at the shared rag-service without a credential
        create(worker, "{\"collection\": \"open-" + suffix + "\"}").then().statusCode(200).body("resource", nullValue());
        assertEquals(List.of(), leasedIds(worker));
        search(worker, "{\"query\": \"q\"}").then().statusCode(200).body("temporary_session", equalTo(false));
        assertEquals(1, searches().size(), searches().toString());
        assertEquals("open-" + suffix, searches().get(0).body().path("collection").asText());
        assertNull(searches().get(0).leaseToken());
        assertNull(searches().get(0).authorization());
        destroy(worker).then().statusCode(200);

        // without a session the shipped profile's rag stays stateless: refused as before, nothing leased
        search(worker, "{\"query\": \"q\", \"collection\": \"" + collection + "\"}").then().statusCode(409)
                .body("error.code", equalTo("LEASE_NOT_LIVE"));
        assertEquals(List.of(), leasedIds(worker));
        assertEquals(1, searches().size(), searches().toString());
    }

    /**
     * docs/isolation.md: a lease token "appears only in the allocation answer"; the gateway's MCP resources drop it
     * ("a resource may end up in a UI or a transcript"). A Sandbox rag session's lease is used by the gateway itself, so
     * its worker never needs the token, yet the session record answered by /session/create, by a repeated create
     * ({@code created: false}) and by every /session/list carries it.
     */
    @Test
    void theSessionsLeaseTokenIsNotRepeatedInSessionAnswers() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String collection = "tok-" + suffix;
        offer(suffix, collection);
        String alice = "rag-tok-alice-" + suffix;
        Response created = create(alice, "{\"collection\": \"" + collection + "\"}");
        created.then().statusCode(200);
        String token = tokenOf(alice);
        Response again = create(alice, "{\"collection\": \"" + collection + "\"}");
        Response listed = post("/session/list", "{\"worker_id\": \"" + alice + "\"}");
        List<String> carrying = new ArrayList<>();
        if (created.asString().contains(token)) {
            carrying.add("/session/create");
        }
        if (again.asString().contains(token)) {
            carrying.add("/session/create (created: false)");
        }
        if (listed.asString().contains(token)) {
            carrying.add("/session/list");
        }
        destroy(alice).then().statusCode(200);
        assertEquals(List.of(), carrying, "answers carrying the session's lease token; e.g. " + listed.asString());
    }

    /**
     * "the call's config overrides the profile's" (README, /session/create): a rag session's own {@code default_top_k}
     * and {@code mode} are accepted by the config check, stored in the session record, and must then fill in what its
     * searches leave out, as the profile's do outside a session.
     */
    @Test
    void aSessionsOwnDefaultTopKAndModeFillItsSearches() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String collection = "defaults-" + suffix;
        offer(suffix, collection);
        String worker = "rag-defaults-" + suffix;
        create(worker, "{\"collection\": \"" + collection + "\", \"default_top_k\": 2, \"mode\": \"bm25\"}")
                .then().statusCode(200).body("config.default_top_k", equalTo(2));
        search(worker, "{\"query\": \"q\"}").then().statusCode(200).body("success", equalTo(true));
        destroy(worker).then().statusCode(200);
        assertEquals(1, searches().size(), searches().toString());
        assertEquals(2, searches().get(0).body().path("top_k").asInt(), searches().get(0).toString());
        assertEquals("bm25", searches().get(0).body().path("mode").asText(), searches().get(0).toString());
    }

    /**
     * What a session fills in passes the tool's argument check as the call's own arguments do: a session whose config
     * asks for more results than rag_search's schema allows is refused at its search with a 400 naming {@code top_k},
     * and rag-service is not asked; the call's own {@code top_k} still wins over the session's.
     */
    @Test
    void aSessionsOutOfBoundsDefaultIsRefusedBeforeTheSearchAndTheCallsOwnWins() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String worker = "rag-bounds-" + suffix;
        create(worker, "{\"default_top_k\": 1000}").then().statusCode(200);
        search(worker, "{\"query\": \"q\"}").then().statusCode(400)
                .body("error.code", equalTo("INVALID_PARAMETERS"))
                .body("error.message", containsString("top_k"));
        assertEquals(List.of(), searches(), "rag-service asked with the session's bad default");
        search(worker, "{\"query\": \"q\", \"top_k\": 3}").then().statusCode(200).body("success", equalTo(true));
        destroy(worker).then().statusCode(200);
        assertEquals(3, searches().get(0).body().path("top_k").asInt(), searches().get(0).toString());
    }
}

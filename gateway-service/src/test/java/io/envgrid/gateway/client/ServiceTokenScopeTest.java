package io.envgrid.gateway.client;

import static io.envgrid.gateway.support.McpHttp.call;
import static io.envgrid.gateway.support.McpHttp.initialize;
import static io.envgrid.gateway.support.McpHttp.mcp;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.id.KeyPart;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.RecordingEndpoint;
import io.envgrid.gateway.support.SandboxHttp;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.http.HttpMethod;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's service token goes only to the backends its own settings name, and never stands in for a worker:
 * an endpoint a registrant wrote into a resource record (a device agent's {@code agent_url}, a rag instance's
 * {@code base_url}) gets the worker's lease token alone, a worker's search of the configured rag-service gets its
 * lease token or nothing, and a search that names no collection is the search of the default collection, refused
 * when another worker leases it. The gateway runs here with a service token, and the configured rag-service and the
 * registrants' endpoints are recorders of what they were sent.
 */
@QuarkusTest
@WithCluster
@WithTestResource(ServiceTokenScopeTest.Settings.class)
class ServiceTokenScopeTest {

    static final String SERVICE_TOKEN = "svc-scope-test-token";
    static final String DEFAULT_COLLECTION = "rv-shared-default";

    /** The gateway with a service token, its configured rag-service the {@link #configuredRag} recorder. */
    public static class Settings implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            configuredRag = RecordingEndpoint.start(ServiceTokenScopeTest::answer);
            return Map.of("envgrid.allocator.service-token", SERVICE_TOKEN,
                    "envgrid.rag.url", configuredRag.url(),
                    "envgrid.gateway.rag.default-collection", DEFAULT_COLLECTION);
        }

        @Override
        public void stop() {
            configuredRag.close();
        }
    }

    /** What a rag instance or a device agent would answer, minimally, for each path the gateway calls. */
    static String answer(String path) {
        return path.equals("/search") ? "{\"results\": [], \"took_ms\": 1}"
                : path.equals("/collections") ? "[{\"name\": \"" + DEFAULT_COLLECTION + "\", \"documents\": 0}]"
                : path.startsWith("/resources/") ? "{\"uri\": \"x\", \"mimeType\": \"application/json\", "
                        + "\"contents\": {\"recorded\": true}}"
                : "{\"status\": \"recorded\"}";
    }

    static RecordingEndpoint configuredRag;

    @Inject
    Downstream downstream;
    @Inject
    RedisDataSource redis;

    private RecordingEndpoint registrant;
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void startRegistrant() {
        registrant = RecordingEndpoint.start(ServiceTokenScopeTest::answer);
        configuredRag.forget();
    }

    @AfterEach
    void stopRegistrant() {
        registrant.close();
    }

    /** The lease token the gateway keeps for the worker's one resource. */
    private String tokenOf(String worker) {
        List<String> entries = List.copyOf(redis.hash(String.class).hgetall("{envgrid-gw}:worker:" + worker + ":resources").values());
        assertEquals(1, entries.size(), entries.toString());
        String token = McpSteps.readTree(entries.get(0)).path(LeaseToken.FIELD).asText();
        assertTrue(token.startsWith("elt_"), token);
        return token;
    }

    private static void register(String id, String type, String endpointJson, String labelsJson) {
        TestCluster.get().allocatorCall("POST", "/resources", "{\"id\": \"" + id + "\", \"type\": \"" + type
                + "\", \"endpoint\": " + endpointJson + ", \"labels\": " + labelsJson + "}");
    }

    private static Response rpc(String session, String method, String params) {
        return mcp().header("Mcp-Session-Id", session).body("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"" + method
                + "\",\"params\":" + params + "}").post("/mcp");
    }

    private static void assertOnlyLeaseToken(List<RecordingEndpoint.Seen> calls, String token) {
        assertTrue(!calls.isEmpty(), "no call arrived");
        for (RecordingEndpoint.Seen s : calls) {
            assertNull(s.authorization(), "the service token (or any bearer) went to " + s);
            assertEquals(token, s.leaseToken(), s.toString());
        }
    }

    @Test
    void aServiceCredentialIsRefusedForAnAddressNobodyConfigured() {
        downstream.json("rag", HttpMethod.GET, configuredRag.url() + "/collections", null, Duration.ofSeconds(30), true,
                Credential.service()).await().atMost(Duration.ofSeconds(40));
        // the token is configured and does go to a configured backend when a call site asks for it
        assertEquals("Bearer " + SERVICE_TOKEN, configuredRag.at("/collections").get(0).authorization());

        for (String url : List.of(registrant.url() + "/tools/device.status/call", configuredRag.url() + ".evil.example/x",
                configuredRag.url() + "0/x")) {
            for (Credential credential : List.of(Credential.service(), new Credential.ServiceAndLease("elt_x"))) {
                CompletionException refused = assertThrows(CompletionException.class, () -> downstream.json("device-agent",
                        HttpMethod.POST, url, Map.of(), Duration.ofSeconds(5), false, credential)
                        .subscribeAsCompletionStage().join(), url);
                assertInstanceOf(IllegalStateException.class, refused.getCause(), url);
            }
        }
        assertEquals(List.of(), registrant.seen());
    }

    @Test
    void aRegistrantsDeviceEndpointGetsTheLeaseTokenAndNeverTheServiceToken() {
        String deviceType = "rv" + suffix;
        register("rv-device-" + suffix, "device_" + deviceType, "{\"agent_url\": \"" + registrant.url()
                + "\", \"device_id\": \"dev-1\"}", "{}");
        String worker = "rv-device-worker-" + suffix;
        String session = initialize(mcp());
        call(session, 1, "allocate_single_resource", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"device_"
                + deviceType + "\"}").then().body("result.isError", equalTo(false));
        String token = tokenOf(worker);

        call(session, 2, "device.status", "{}").then().body("result.isError", equalTo(false));
        call(session, 3, "device.execute", "{\"command\": \"id\"}").then().body("result.isError", equalTo(false));
        String uri = "mcp://test-devices/devices/" + deviceType + "/dev-1/device.json";
        rpc(session, "resources/read", "{\"uri\": \"" + uri + "\"}").then().log().ifValidationFails()
                .body("result.contents[0].text", containsString("recorded"));

        assertEquals(2, registrant.at("/tools/").size(), registrant.seen().toString());
        assertEquals(List.of("/resources/devices/" + deviceType + "/dev-1/device.json"),
                registrant.at("/resources/").stream().map(RecordingEndpoint.Seen::rawPath).toList());
        assertOnlyLeaseToken(registrant.seen(), token);
        call(session, 4, "release_batch_resources", "{}").then().body("result.isError", equalTo(false));
    }

    @Test
    void aGrantedRagInstanceGetsTheLeaseTokenAndNeverTheServiceToken() {
        String type = "rag_rv_" + suffix;
        String collection = "rv-own-" + suffix;
        register("rv-rag-" + suffix, type, "{\"base_url\": \"" + registrant.url() + "\", \"collection\": \"" + collection
                + "\"}", "{\"collection\": \"" + collection + "\"}");
        String worker = "rv-rag-worker-" + suffix;
        String session = initialize(mcp());
        call(session, 1, "allocate_single_resource", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"" + type
                + "\"}").then().body("result.isError", equalTo(false));
        String token = tokenOf(worker);

        call(session, 2, "rag_search", "{\"query\": \"q\"}").then().body("result.isError", equalTo(false));
        call(session, 3, "rag_search", "{\"query\": \"q\", \"collection\": \"" + collection + "\"}")
                .then().body("result.isError", equalTo(false));
        rpc(session, "resources/read", "{\"uri\": \"envgrid://rag/collections\"}").then()
                .body("result.contents[0].text", containsString(DEFAULT_COLLECTION));

        List<RecordingEndpoint.Seen> searches = registrant.at("/search");
        assertEquals(2, searches.size(), registrant.seen().toString());
        searches.forEach(s -> assertEquals(collection, s.body().path("collection").asText(), s.toString()));
        assertEquals(1, registrant.at("/collections").size(), registrant.seen().toString());
        assertOnlyLeaseToken(registrant.seen(), token);
        call(session, 4, "release_batch_resources", "{}").then().body("result.isError", equalTo(false));
    }

    /**
     * The review's case: without a rag lease, a search naming no collection went to the configured rag-service
     * without a collection, with the service token, and so read the default collection while another worker leased it.
     */
    @Test
    void aSearchNamingNoCollectionIsTheSearchOfTheDefaultCollection() {
        String alice = "rv-alice-" + suffix;
        String aliceSession = initialize(mcp());

        // nobody can lease the default collection: searched by name on the configured rag-service, with no credential
        call(aliceSession, 1, "rag_search", "{\"worker_id\": \"" + alice + "\", \"query\": \"q\"}")
                .then().body("result.isError", equalTo(false));
        List<RecordingEndpoint.Seen> open = configuredRag.at("/search");
        assertEquals(1, open.size(), configuredRag.seen().toString());
        assertEquals(DEFAULT_COLLECTION, open.get(0).body().path("collection").asText(), open.toString());
        assertNull(open.get(0).authorization(), open.toString());
        assertNull(open.get(0).leaseToken(), open.toString());

        // Bob leases it: Alice's search without a collection is refused as naming it would be, through both doors
        String type = "rag_rvdefault_" + suffix;
        String resourceId = "rv-default-" + suffix;
        register(resourceId, type, "{\"base_url\": \"" + configuredRag.url() + "\", \"collection\": \""
                + DEFAULT_COLLECTION + "\"}", "{\"collection\": \"" + DEFAULT_COLLECTION + "\"}");
        String bob = "rv-bob-" + suffix;
        String bobSession = initialize(mcp());
        call(bobSession, 1, "allocate_single_resource", "{\"worker_id\": \"" + bob + "\", \"resource_type\": \"" + type
                + "\"}").then().body("result.isError", equalTo(false));
        configuredRag.forget();
        for (String arguments : List.of("{\"query\": \"q\"}", "{\"query\": \"q\", \"collection\": \"" + DEFAULT_COLLECTION + "\"}")) {
            call(aliceSession, 2, "rag_search", arguments).then().body("result.isError", equalTo(true))
                    .body("result.structuredContent.error.code", equalTo("LEASE_NOT_LIVE"));
        }
        SandboxHttp.post("/execute", "{\"worker_id\": \"" + alice + "\", \"action\": \"rag:search\", \"params\": "
                + "{\"query\": \"q\"}}").then().log().ifValidationFails().statusCode(409)
                .body("error.code", equalTo("LEASE_NOT_LIVE"));
        // (the Sandbox door may probe the rag-service's health first: no search, no credential)
        assertEquals(List.of(), configuredRag.at("/search"));
        configuredRag.seen().forEach(s -> assertNull(s.authorization(), s.toString()));

        // Bob's own search reaches it with his lease token, never the service token
        configuredRag.forget();
        call(bobSession, 2, "rag_search", "{\"query\": \"q\"}").then().body("result.isError", equalTo(false));
        assertEquals(DEFAULT_COLLECTION, configuredRag.at("/search").get(0).body().path("collection").asText());
        assertOnlyLeaseToken(configuredRag.seen(), tokenOf(bob));

        call(bobSession, 3, "release_batch_resources", "{}").then().body("result.isError", equalTo(false));
        TestCluster.get().allocatorCall("DELETE", "/resources/" + KeyPart.pathSegment(resourceId), null);
        mcp().header("Mcp-Session-Id", aliceSession).delete("/mcp").then().statusCode(204);
        mcp().header("Mcp-Session-Id", bobSession).delete("/mcp").then().statusCode(204);
    }
}

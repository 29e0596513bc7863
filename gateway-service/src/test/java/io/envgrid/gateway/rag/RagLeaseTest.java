package io.envgrid.gateway.rag;

import static io.envgrid.gateway.support.McpHttp.call;
import static io.envgrid.gateway.support.McpHttp.initialize;
import static io.envgrid.gateway.support.McpHttp.mcp;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.envgrid.gateway.client.LeaseToken;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code rag_search} on leased collections: the search carries the worker's own lease token for
 * the rag lease it uses, a collection leased to another worker cannot be named (409
 * {@code LEASE_NOT_LIVE}, rag-service never asked), and a collection nobody can lease is searched
 * without a token. The rag instance is a recorder standing in for rag-service.
 */
@QuarkusTest
@WithCluster
class RagLeaseTest {

    private record Seen(String leaseToken, JsonNode body) {
    }

    @Inject
    RedisDataSource redis;

    private HttpServer ragInstance;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        ragInstance = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ragInstance.createContext("/search", x -> {
            seen.add(new Seen(x.getRequestHeaders().getFirst(LeaseToken.HEADER),
                    McpSteps.readTree(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))));
            byte[] answer = "{\"results\": [], \"took_ms\": 1}".getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, answer.length);
            x.getResponseBody().write(answer);
            x.close();
        });
        ragInstance.start();
    }

    @AfterEach
    void stop() {
        ragInstance.stop(0);
    }

    private void offer(String id, String type, String collection) {
        TestCluster.get().allocatorCall("POST", "/resources", "{\"id\": \"" + id + "\", \"type\": \"" + type
                + "\", \"endpoint\": {\"base_url\": \"http://127.0.0.1:" + ragInstance.getAddress().getPort()
                + "\", \"collection\": \"" + collection + "\"}, \"labels\": {\"collection\": \"" + collection + "\"}}");
    }

    /** The lease token the gateway keeps for the worker's one resource. */
    private String tokenOf(String worker) {
        List<String> entries = List.copyOf(redis.hash(String.class).hgetall("{envgrid-gw}:worker:" + worker + ":resources").values());
        assertEquals(1, entries.size(), entries.toString());
        return McpSteps.readTree(entries.get(0)).path(LeaseToken.FIELD).asText();
    }

    @Test
    void aSearchCarriesTheWorkersOwnLeaseAndNoOtherWorkersCollection() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String type = "rag_lease_" + suffix;
        offer("rag-lease-" + suffix + "-1", type, "alpha-" + suffix);
        offer("rag-lease-" + suffix + "-2", type, "beta-" + suffix);
        String alice = "rag-alice-" + suffix;
        String bob = "rag-bob-" + suffix;
        String aliceSession = initialize(mcp());
        String bobSession = initialize(mcp());
        String aliceCollection = call(aliceSession, 1, "allocate_single_resource", "{\"worker_id\": \"" + alice
                + "\", \"resource_type\": \"" + type + "\"}").then().body("result.isError", equalTo(false))
                .extract().path("result.structuredContent." + type + ".collection");
        String bobCollection = call(bobSession, 1, "allocate_single_resource", "{\"worker_id\": \"" + bob
                + "\", \"resource_type\": \"" + type + "\"}").then().body("result.isError", equalTo(false))
                .extract().path("result.structuredContent." + type + ".collection");
        assertNotEquals(aliceCollection, bobCollection);

        call(aliceSession, 2, "rag_search", "{\"query\": \"q\"}").then().body("result.isError", equalTo(false));
        assertEquals(1, seen.size());
        assertEquals(aliceCollection, seen.get(0).body().path("collection").asText());
        assertEquals(tokenOf(alice), seen.get(0).leaseToken());
        assertTrue(seen.get(0).leaseToken().startsWith("elt_"), seen.get(0).toString());

        // naming her own collection sends her token too; naming Bob's is refused before rag-service
        call(aliceSession, 3, "rag_search", "{\"query\": \"q\", \"collection\": \"" + aliceCollection + "\"}")
                .then().body("result.isError", equalTo(false));
        assertEquals(tokenOf(alice), seen.get(1).leaseToken());
        call(aliceSession, 4, "rag_search", "{\"query\": \"q\", \"collection\": \"" + bobCollection + "\"}")
                .then().body("result.isError", equalTo(true))
                .body("result.structuredContent.error.code", equalTo("LEASE_NOT_LIVE"));
        assertEquals(2, seen.size(), seen.toString());

        // a collection nobody can lease: searched on her instance, without a lease token
        call(aliceSession, 5, "rag_search", "{\"query\": \"q\", \"collection\": \"plain-" + suffix + "\"}")
                .then().body("result.isError", equalTo(false));
        assertEquals(3, seen.size());
        assertEquals("plain-" + suffix, seen.get(2).body().path("collection").asText());
        assertNull(seen.get(2).leaseToken());

        call(bobSession, 2, "rag_search", "{\"query\": \"q\"}").then().body("result.isError", equalTo(false));
        assertEquals(tokenOf(bob), seen.get(3).leaseToken());
        assertEquals(bobCollection, seen.get(3).body().path("collection").asText());

        mcp().header("Mcp-Session-Id", aliceSession).delete("/mcp").then().statusCode(204);
        mcp().header("Mcp-Session-Id", bobSession).delete("/mcp").then().statusCode(204);
    }
}

package io.envgrid.rag.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every route that takes a body, called as the JDK's {@link HttpClient} calls it by default: HTTP/2 preferred,
 * so the first request on a connection carries {@code Upgrade: h2c}. A fresh client per request makes every
 * request such a first one. The whole-cluster test found ingestion answering these 500 ("Request has already
 * been read"): the service took the upgrade, and Quarkus REST then paused an HTTP/2 request whose body
 * {@code error.RouterErrors} had already read, which HTTP/2 refuses. The service now declines the upgrade.
 */
@QuarkusTest
class H2cClientTest {

    @TestHTTPResource("/")
    URI base;

    /** A request to send as the first one of a new connection, and the status it must get. */
    private record Call(String method, String path, String contentType, String body, int expected) {
    }

    @Test
    void everyRouteWithABodyAnswersAnH2cUpgradeLikeHttp11() throws Exception {
        String doc = "{\"id\":\"d1\",\"text\":\"the harbour ferries run at dawn\"}";
        List<Call> calls = List.of(
                // valid bodies, each route and each media type of the ingestion route
                new Call("POST", "/collections/h2c/documents", "application/x-ndjson", doc, 200),
                new Call("POST", "/collections/h2c/documents", "application/jsonl",
                        "{\"id\":\"d2\",\"text\":\"lighthouse keepers log the weather\"}", 200),
                new Call("POST", "/collections/h2c/documents?id=d3", "text/plain", "anemometers measure wind", 200),
                new Call("POST", "/collections/h2c/documents?id=d4", "text/markdown", "# Runbook\n\nrestart the indexer", 200),
                new Call("PUT", "/collections/h2c/documents/d5", "application/json", "{\"text\":\"tide tables for the port\"}", 200),
                new Call("POST", "/search", "application/json", "{\"collection\":\"h2c\",\"query\":\"ferries\",\"mode\":\"bm25\"}", 200),
                // bad bodies: refused with the envelope, as over HTTP/1.1
                new Call("POST", "/collections/h2c/documents", "application/x-ndjson", "{not json", 400),
                new Call("PUT", "/collections/h2c/documents/d5", "application/json", "[1,", 400),
                new Call("POST", "/search", "application/json", "{\"query\":\"\"}", 400),
                new Call("POST", "/search", "application/json", "", 400),
                new Call("DELETE", "/collections/h2c/documents/d5", "application/json", "{\"a\":1}", 204));
        List<String> wrong = new ArrayList<>();
        for (Call call : calls) {
            HttpResponse<String> response = send(call);
            if (response.statusCode() != call.expected()
                    || (response.statusCode() >= 400 && !response.body().contains("\"code\""))) {
                wrong.add(call.method() + " " + call.path() + " " + call.contentType() + " -> "
                        + response.statusCode() + " " + response.version() + " " + response.body());
            }
        }
        assertTrue(wrong.isEmpty(), "answered otherwise than expected:\n" + String.join("\n", wrong));
        // The bodies were read, not lost in the upgrade: the document ingested over h2c is found by its words.
        HttpResponse<String> found = send(new Call("POST", "/search", "application/json",
                "{\"collection\":\"h2c\",\"query\":\"harbour ferries\",\"mode\":\"bm25\"}", 200));
        assertTrue(found.body().contains("\"id\":\"d1\""), found.body());
    }

    @Test
    void anUpgradeToHttp2IsDeclinedAndAnsweredInHttp11() throws Exception {
        // The service speaks HTTP/1.1 only (application.properties, quarkus.http.http2): the client's upgrade
        // request is answered as an HTTP/1.1 one, which the JDK client takes without a word.
        // A refused search: its answer does not depend on which collections the other test made.
        HttpResponse<String> response = send(new Call("POST", "/search", "application/json", "{\"query\":\" \"}", 400));
        assertEquals(400, response.statusCode(), response.body());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version());
    }

    private HttpResponse<String> send(Call call) throws Exception {
        // A new client is a new connection, whose first request asks for the upgrade.
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(base.resolve(call.path()))
                .header("Authorization", "Bearer " + Api.SERVICE_TOKEN)
                .header("Content-Type", call.contentType())
                .method(call.method(), HttpRequest.BodyPublishers.ofString(call.body()))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}

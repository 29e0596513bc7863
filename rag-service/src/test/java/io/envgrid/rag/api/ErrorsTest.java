package io.envgrid.rag.api;

import static io.envgrid.rag.api.Api.doc;
import static io.envgrid.rag.api.Api.ingest;
import static io.envgrid.rag.api.Api.jsonLines;
import static io.envgrid.rag.api.Api.operator;
import static io.envgrid.rag.api.Api.search;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Every bad request gets a 4xx with the error envelope, and none of them changes the index. */
@QuarkusTest
class ErrorsTest {

    @ConfigProperty(name = "envgrid.rag.index-dir")
    Path indexDir;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize bodyLimit;

    private static void envelope(ValidatableResponse response, int status, String code) {
        response.statusCode(status).body("error.code", equalTo(code))
                .body("error.message", notNullValue()).body("error.details", notNullValue())
                .body("error.timestamp", notNullValue());
    }

    @Test
    void unknownCollectionIs404() {
        envelope(search("no-such-collection", "anything", "bm25", 5), 404, "COLLECTION_NOT_FOUND");
        envelope(operator().when().delete("/collections/no-such-collection/documents/x").then(), 404, "COLLECTION_NOT_FOUND");
    }

    @Test
    void badSearchRequestsAre400() {
        ingest("errors", jsonLines(List.of(doc("one", null, "some text", null)))).statusCode(200);
        envelope(search(Map.of("collection", "errors", "query", "  ")), 400, "INVALID_PARAMETERS");
        envelope(search(Map.of("collection", "errors")), 400, "INVALID_PARAMETERS");
        envelope(search(Map.of("collection", "errors", "query", "text", "top_k", 0)), 400, "INVALID_PARAMETERS");
        envelope(search(Map.of("collection", "errors", "query", "text", "top_k", 101)), 400, "INVALID_PARAMETERS");
        envelope(search(Map.of("collection", "errors", "query", "text", "mode", "fuzzy")), 400, "INVALID_PARAMETERS");
        envelope(search(Map.of("collection", "errors", "query", "text", "filters", Map.of("a", List.of(1)))), 400,
                "INVALID_PARAMETERS");
        envelope(search(Map.of("collection", "errors", "query", "text", "top_k", "many")), 400, "MALFORMED_JSON");
        envelope(search(Map.of("collection", "errors", "query", "text", "top_k", 2.5)), 400, "MALFORMED_JSON");
        envelope(search(Map.of("collection", "errors", "query", "text", "top_k", 1e20)), 400, "MALFORMED_JSON");
        // Scalars of the wrong JSON type are refused, not converted.
        envelope(search(Map.of("collection", "errors", "query", "text", "top_k", "5")), 400, "MALFORMED_JSON");
        envelope(search(Map.of("collection", "errors", "query", 5)), 400, "MALFORMED_JSON");
        envelope(search(Map.of("collection", "errors", "query", true)), 400, "MALFORMED_JSON");
        envelope(search(Map.of("collection", "errors", "query", "text", "mode", 1)), 400, "MALFORMED_JSON");
        // A key twice was a 500 (Jackson cannot bind a record property twice).
        envelope(operator().contentType(ContentType.JSON).body("{\"query\":\"a\",\"query\":\"b\"}").when().post("/search").then(), 400,
                "MALFORMED_JSON");
        envelope(operator().contentType(ContentType.JSON).body("{\"text\":\"a\",\"title\":\"a\",\"title\":\"b\"}")
                .when().put("/collections/errors/documents/dup").then(), 400, "MALFORMED_JSON");
        envelope(operator().contentType(ContentType.JSON).body("{not json").when().post("/search").then(), 400, "MALFORMED_JSON");
    }

    @Test
    void aBatchWithOneBadDocumentWritesNothing() {
        String good = jsonLines(List.of(doc("good", null, "perfectly fine text about turbines", null)));
        envelope(ingest("half", good + "\n{\"id\":\"bad\"}"), 400, "INVALID_DOCUMENT");
        envelope(ingest("half", good + "\n{not json"), 400, "INVALID_DOCUMENT");
        envelope(ingest("half", good + "\n" + good), 400, "INVALID_DOCUMENT");
        envelope(ingest("half", good + "\n{\"id\":\"x y\",\"text\":\"t\"}"), 400, "INVALID_DOCUMENT");
        envelope(ingest("half", good + "\n{\"id\":\"m\",\"text\":\"t\",\"metadata\":{\"k\":{\"nested\":1}}}"), 400,
                "INVALID_DOCUMENT");
        // Nothing was written: the collection was never even created.
        envelope(search("half", "turbines", "bm25", 5), 404, "COLLECTION_NOT_FOUND");

        ingest("half", good).statusCode(200);
        ingest("half", "{\"id\":\"other\",\"text\":\"turbines again\"}\n{\"id\":\"\",\"text\":\"t\"}")
                .statusCode(400).body("error.details.line", equalTo(2));
        search("half", "turbines", "bm25", 5).body("results.size()", equalTo(1));
    }

    /** The service token: a write without a credential is refused on its head (401), before these HTTP-layer checks. */
    private static final Map<String, String> OPERATOR = Map.of("Authorization", "Bearer " + Api.SERVICE_TOKEN);

    /** A Content-Type that is no media type was a 500 where the type chooses between methods (ingestion). */
    @Test
    void contentTypesThatAreNoMediaTypeAre415() throws IOException {
        for (String path : List.of("/collections/errors/documents?id=x", "/search")) {
            RawHttp.Response response = RawHttp.send(RestAssured.port, "POST", path, "garbage", OPERATOR,
                    "text".getBytes(StandardCharsets.UTF_8));
            assertEquals(415, response.status(), response.body());
            assertEquals("HTTP_ERROR", new JsonPath(response.body()).getString("error.code"));
        }
    }

    /** An Accept without JSON once got a 406 after the document had been written; now before anything is. */
    @Test
    void acceptHeadersWithoutJsonAre406BeforeAnythingIsWritten() throws IOException {
        StateSnapshot before = StateSnapshot.take(indexDir);
        RawHttp.Response response = RawHttp.send(RestAssured.port, "POST", "/collections/accept/documents?id=d1", "text/plain",
                Map.of("Accept", "garbage", "Authorization", "Bearer " + Api.SERVICE_TOKEN), "some text".getBytes(StandardCharsets.UTF_8));
        assertEquals(406, response.status(), response.body());
        assertEquals("HTTP_ERROR", new JsonPath(response.body()).getString("error.code"));
        assertEquals(before, StateSnapshot.take(indexDir), () -> before.diff(StateSnapshot.take(indexDir)));
    }

    @Test
    void badIngestionRequestsAre400Or415() {
        envelope(ingest("empty", ""), 400, "INVALID_PARAMETERS");
        envelope(ingest("Bad%20Name", jsonLines(List.of(doc("a", null, "t", null)))), 400, "INVALID_ID");
        envelope(operator().contentType(ContentType.TEXT).body("text without an id").when().post("/collections/texts-err/documents")
                .then(), 400, "INVALID_DOCUMENT");
        envelope(operator().contentType(ContentType.JSON).body(Map.of("id", "b", "text", "t"))
                .when().put("/collections/put-err/documents/a").then(), 400, "INVALID_PARAMETERS");
        envelope(operator().contentType("application/pdf").body("%PDF".getBytes(StandardCharsets.US_ASCII)).when().post("/collections/pdf/documents").then(), 415,
                "HTTP_ERROR");
    }

    /** docs/isolation.md "One rule for ids": a name outside the rule is refused before anything is touched. */
    @Test
    void collectionNamesOutsideTheRuleAre400AndTouchNothing() {
        StateSnapshot before = StateSnapshot.take(indexDir);
        String line = jsonLines(List.of(doc("d", null, "some text", null)));
        for (String name : List.of("../x", "a/b", "..", ".", ".hidden", "UPPER", "a:b", "a%b", "x".repeat(65), "", " ", "é", "a\u0000")) {
            envelope(search(Map.of("collection", name, "query", "text")), 400, "INVALID_ID");
        }
        // In a path the name is percent-encoded once by the client and decoded once by the server.
        for (String encoded : List.of("a%2Fb", "%2e%2e%2Fx", "..%2F..%2Fetc", "UPPER", "a%3Ab", "a%25b", "%C3%A9", "a%00", "x".repeat(65))) {
            envelope(operator().urlEncodingEnabled(false).contentType("application/x-ndjson").body(line.getBytes(StandardCharsets.UTF_8))
                    .when().post("/collections/" + encoded + "/documents").then(), 400, "INVALID_ID");
            envelope(operator().urlEncodingEnabled(false).contentType(ContentType.JSON).body(Map.of("text", "t"))
                    .when().put("/collections/" + encoded + "/documents/d").then(), 400, "INVALID_ID");
            envelope(operator().urlEncodingEnabled(false).when().delete("/collections/" + encoded + "/documents/d").then(), 400, "INVALID_ID");
        }
        // The server resolves dot segments before routing: what is left names no endpoint.
        envelope(operator().urlEncodingEnabled(false).contentType("application/x-ndjson").body(line.getBytes(StandardCharsets.UTF_8))
                .when().post("/collections/%2e%2e/documents").then(), 404, "HTTP_ERROR");
        assertEquals(before, StateSnapshot.take(indexDir), () -> before.diff(StateSnapshot.take(indexDir)));
    }

    @Test
    void documentIdsOutsideTheRuleAre400() {
        ingest("ids", jsonLines(List.of(doc("kept", null, "some text", null)))).statusCode(200);
        StateSnapshot before = StateSnapshot.take(indexDir);
        for (String encoded : List.of("%20", "a%20b", "x".repeat(201), "-lead", "a%0Ab", "%C3%A9")) {
            envelope(operator().urlEncodingEnabled(false).when().delete("/collections/ids/documents/" + encoded).then(), 400, "INVALID_ID");
            envelope(operator().urlEncodingEnabled(false).contentType(ContentType.JSON).body(Map.of("text", "t"))
                    .when().put("/collections/ids/documents/" + encoded).then(), 400, "INVALID_ID");
        }
        assertEquals(before, StateSnapshot.take(indexDir), () -> before.diff(StateSnapshot.take(indexDir)));
    }

    @Test
    void documentsBeyondTheLimitsAre400AndWriteNothing() {
        ingest("limits", jsonLines(List.of(doc("kept", null, "some text", null)))).statusCode(200);
        StateSnapshot before = StateSnapshot.take(indexDir);
        Map<String, Object> manyEntries = new HashMap<>();
        for (int i = 0; i <= Limits.MAX_METADATA_ENTRIES; i++) {
            manyEntries.put("k" + i, i);
        }
        List<String> bad = List.of(
                // 40,000 characters once ended as a 500: Lucene refuses terms over 32,766 bytes.
                "{\"id\":\"m\",\"text\":\"t\",\"metadata\":{\"k\":\"" + "v".repeat(40_000) + "\"}}",
                "{\"id\":\"m\",\"text\":\"t\",\"metadata\":{\"k\":\"" + "v".repeat(Limits.MAX_METADATA_VALUE_CHARS + 1) + "\"}}",
                "{\"id\":\"m\",\"text\":\"t\",\"metadata\":{\"k\":1e400}}",
                Api.jsonLines(List.of(doc("m", null, "t", manyEntries))),
                Api.jsonLines(List.of(doc("m", "x".repeat(Limits.MAX_TITLE_CHARS + 1), "t", null))),
                Api.jsonLines(List.of(doc("m", null, "x".repeat(Limits.MAX_TEXT_CHARS + 1), null))));
        for (String body : bad) {
            envelope(ingest("limits", body), 400, "INVALID_DOCUMENT");
        }
        envelope(operator().contentType(ContentType.TEXT).body("x".repeat(Limits.MAX_TEXT_CHARS + 1))
                .when().post("/collections/limits/documents?id=long").then(), 400, "INVALID_DOCUMENT");
        envelope(operator().contentType(ContentType.TEXT).body("t")
                .when().post("/collections/limits/documents?id=titled&title=" + "x".repeat(Limits.MAX_TITLE_CHARS + 1)).then(), 400,
                "INVALID_DOCUMENT");
        assertEquals(before, StateSnapshot.take(indexDir), () -> before.diff(StateSnapshot.take(indexDir)));
    }

    @Test
    void filtersBeyondTheLimitsAre400() {
        ingest("filters", jsonLines(List.of(doc("kept", null, "some text", Map.of("k", "v"))))).statusCode(200);
        Map<String, Object> many = new HashMap<>();
        // 1,100 filters once ended as a 500: each is a clause, and Lucene stops at 1,024.
        for (int i = 0; i < 1100; i++) {
            many.put("k" + i, i);
        }
        envelope(search(Map.of("collection", "filters", "query", "text", "filters", many)), 400, "INVALID_PARAMETERS");
        Map<String, Object> seventeen = new HashMap<>();
        for (int i = 0; i <= Limits.MAX_FILTERS; i++) {
            seventeen.put("k" + i, i);
        }
        envelope(search(Map.of("collection", "filters", "query", "text", "filters", seventeen)), 400, "INVALID_PARAMETERS");
        envelope(search(Map.of("collection", "filters", "query", "text", "filters", Map.of("k", "v".repeat(40_000)))), 400,
                "INVALID_PARAMETERS");
        envelope(operator().contentType(ContentType.JSON).body("{\"collection\":\"filters\",\"query\":\"t\",\"filters\":{\"k\":-1e999}}")
                .when().post("/search").then(), 400, "INVALID_PARAMETERS");
        search(Map.of("collection", "filters", "query", "text", "filters", Map.of("k", "v"))).statusCode(200).body("results.size()", equalTo(1));
    }

    /** Bodies over the limit get the envelope too, whether their size is declared or found while reading. */
    @Test
    void oversizedBodiesAre413WithTheEnvelope() throws IOException {
        StateSnapshot before = StateSnapshot.take(indexDir);
        for (boolean chunked : List.of(false, true)) {
            RawHttp.Response response = RawHttp.oversized(RestAssured.port, "/collections/huge/documents", "application/x-ndjson", OPERATOR,
                    bodyLimit.asLongValue(), chunked);
            assertEquals(413, response.status(), response.body());
            JsonPath error = new JsonPath(response.body());
            assertEquals("PAYLOAD_TOO_LARGE", error.getString("error.code"));
            assertNotNull(error.get("error.details"));
            assertNotNull(error.getString("error.timestamp"));
        }
        assertEquals(before, StateSnapshot.take(indexDir), () -> before.diff(StateSnapshot.take(indexDir)));
    }

    /** A body the HTTP layer cannot parse as its Content-Type says is refused with the envelope, not a bare 400. */
    @Test
    void unparsableFormBodiesGetTheEnvelope() throws IOException {
        for (String type : List.of("application/x-www-form-urlencoded", "multipart/form-data")) {
            RawHttp.Response response = RawHttp.send(RestAssured.port, "POST", "/search", type,
                    "%zz=%%&a".getBytes(StandardCharsets.US_ASCII));
            assertEquals(400, response.status(), response.body());
            assertEquals("HTTP_ERROR", new JsonPath(response.body()).getString("error.code"));
            // A GET with such a body was a 500: Vert.x decodes form bodies only for methods meant to carry one.
            assertEquals(200, RawHttp.send(RestAssured.port, "GET", "/collections", type, "a=b".getBytes(StandardCharsets.US_ASCII)).status());
        }
    }
}

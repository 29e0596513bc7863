package io.envgrid.rag.api;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The RAG service's HTTP API as the tests call it. */
public final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Api() {
    }

    /** One JSON line per document; each document is {id, text, title?, metadata?}. */
    public static String jsonLines(List<Map<String, Object>> documents) {
        return documents.stream().map(Api::json).collect(Collectors.joining("\n"));
    }

    public static Map<String, Object> doc(String id, String title, String text, Map<String, Object> metadata) {
        Map<String, Object> doc = new HashMap<>();
        doc.put("id", id);
        doc.put("title", title);
        doc.put("text", text);
        doc.put("metadata", metadata);
        return doc;
    }

    public static ValidatableResponse ingest(String collection, String body) {
        // Bytes, because rest-assured has no encoder registered for the JSON-lines media type.
        return given().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8))
                .when().post("/collections/" + collection + "/documents").then();
    }

    public static ValidatableResponse search(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/search").then();
    }

    public static ValidatableResponse search(String collection, String query, String mode, int topK) {
        return search(Map.of("collection", collection, "query", query, "mode", mode, "top_k", topK));
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

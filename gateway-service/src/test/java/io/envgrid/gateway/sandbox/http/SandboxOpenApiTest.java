package io.envgrid.gateway.sandbox.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Sandbox API's OpenAPI document describes the real bodies: typed requests and answers, errors as the envelope. */
@QuarkusTest
@WithCluster
class SandboxOpenApiTest {

    @Test
    void everyOperationNamesItsBodiesAndItsErrorAnswers() {
        JsonNode document = McpSteps.readTree(given().queryParam("format", "json").get("/q/openapi").asString());
        Map<String, String[]> operations = Map.of(
                "/execute", new String[] {"ExecuteRequest", "ExecuteResponse"},
                "/execute/batch", new String[] {"BatchRequest", "BatchResponse"},
                "/session/create", new String[] {"SessionRequest", "SessionResponse"},
                "/session/list", new String[] {"WorkerRequest", "SessionListResponse"});
        operations.forEach((path, bodies) -> {
            JsonNode post = document.path("paths").path(path).path("post");
            assertEquals("#/components/schemas/" + bodies[0],
                    post.path("requestBody").path("content").path("application/json").path("schema").path("$ref").asText(), path);
            assertEquals("#/components/schemas/" + bodies[1], post.path("responses").path("200").path("content")
                    .path("application/json").path("schema").path("$ref").asText(), path);
            assertEquals("#/components/schemas/ErrorEnvelope", post.path("responses").path("400").path("content")
                    .path("application/json").path("schema").path("$ref").asText(), path);
        });
        JsonNode schemas = document.path("components").path("schemas");
        assertTrue(schemas.path("ExecuteRequest").path("properties").has("worker_id"), schemas.path("ExecuteRequest").toString());
        assertTrue(schemas.path("ExecuteRequest").has("example"), "requests carry an example");
        // the free-form objects read as Jackson trees are plain JSON objects in the document, not Jackson's classes
        assertEquals("object", schemas.path("JsonObject").path("type").asText(), schemas.path("JsonObject").toString());
        for (String[] field : new String[][] {{"ExecuteRequest", "params"}, {"BatchAction", "params"}, {"SessionRequest", "config"}}) {
            JsonNode property = schemas.path(field[0]).path("properties").path(field[1]);
            assertTrue(property.toString().contains("#/components/schemas/JsonObject"), field[0] + "." + field[1] + ": " + property);
            assertFalse(property.toString().contains("array"), field[0] + "." + field[1] + ": " + property);
        }
    }
}

package io.envgrid.gateway.health;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.support.WithCluster;
import io.envgrid.testsupport.openapi.ErrorResponsesCheck;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Health, Prometheus metrics and OpenAPI, as every envgrid service serves them. */
@QuarkusTest
@WithCluster
class ServiceEndpointsTest {

    @Test
    void servesHealthMetricsAndOpenApi() {
        get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        get("/q/metrics").then().statusCode(200).body(containsString("# TYPE jvm_"));
        get("/q/health/ready").then().body("checks.name", hasItem("allocator"));
        get("/q/openapi").then().statusCode(200).body(containsString("/mcp")).body(containsString("/messages"))
                .body(containsString("/execute/batch")).body(containsString("/session/create"));
    }

    /**
     * The REST routes document their refusals in the envelope, each example with one of the gateway's codes; the MCP
     * doors, which answer JSON-RPC errors, are left out of the check (and of the envelope).
     */
    @Test
    void openApiDocumentsTheErrorsOfTheRestRoutes() throws Exception {
        JsonNode document = new ObjectMapper().readTree(get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        com.fasterxml.jackson.databind.node.ObjectNode paths = (com.fasterxml.jackson.databind.node.ObjectNode) document.get("paths");
        Assertions.assertFalse(paths.path("/mcp").path("post").path("responses").path("401").has("content"),
                "a JSON-RPC door is not described as answering the envelope");
        paths.remove(List.of("/mcp", "/sse", "/messages"));
        Assertions.assertEquals(List.of(), ErrorResponsesCheck.problems(document, ErrorResponsesCheck.codesOf(ErrorCode.class)));
    }
}

package io.envgrid.vmcontroller.api;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import io.envgrid.vmcontroller.support.WithRedis;

/** Health, Prometheus metrics and OpenAPI, as every envgrid service serves them. */
@QuarkusTest
@WithRedis
class ServiceEndpointsTest {

    @Test
    void servesHealthMetricsAndOpenApi() {
        get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        get("/q/metrics").then().statusCode(200).body(containsString("# TYPE jvm_"));
        get("/q/openapi").then().statusCode(200);
    }

    /** JsonNode-typed fields and bodies are any JSON value, not a bean with "valueNode", "pojo", ... (found by FuzzTest). */
    @Test
    void openApiDescribesJsonNodeAsAnyValue() {
        String doc = get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertFalse(doc.contains("valueNode"), "JsonNode described as a bean");
        org.junit.jupiter.api.Assertions.assertTrue(doc.contains("any JSON value"));
    }
}

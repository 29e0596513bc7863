package io.envgrid.gateway.health;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
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
}

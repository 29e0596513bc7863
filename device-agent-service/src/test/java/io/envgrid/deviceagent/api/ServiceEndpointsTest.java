package io.envgrid.deviceagent.api;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.envgrid.deviceagent.support.AgentCalls;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Health, Prometheus metrics and OpenAPI, as every envgrid service serves them. */
@QuarkusTest
class ServiceEndpointsTest {

    @Test
    void servesHealthMetricsAndOpenApi() {
        get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        get("/q/metrics").then().statusCode(200).body(containsString("# TYPE jvm_"));
        get("/q/openapi").then().statusCode(200);
    }

    @Test
    void withoutADisplayTheDesktopRoutesSayWhy() {
        AgentCalls.asService().get("/screenshot").then().statusCode(503).body("status", equalTo("error"))
                .body("message", containsString("no X display"));
        AgentCalls.asService().get("/cursor_position").then().statusCode(503);
        AgentCalls.asService().get("/platform").then().statusCode(200).body(equalTo("Linux"));
        // locked all the same: the credential is checked before anything else
        get("/screenshot").then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
    }
}

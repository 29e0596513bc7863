package io.envgrid.allocator.auth;

import static io.envgrid.allocator.support.Api.expectError;
import static io.restassured.RestAssured.given;

import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.SettingsProfile;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With a service token configured, API calls need it; probes and scrapers do not. */
@QuarkusTest
@WithRedis
@TestProfile(ServiceTokenTest.WithToken.class)
class ServiceTokenTest extends CleanRedis {

    public static class WithToken extends SettingsProfile {
        public WithToken() {
            super(Map.of("envgrid.allocator.service-token", "s3cret", "envgrid.allocator.auth", "token"));
        }
    }

    @Test
    void apiCallsWithoutTheTokenAreRefusedAndChangeNothing() {
        Map<String, Object> body = Map.of("id", "vm-1", "type", "vm");
        expectError(given().contentType(ContentType.JSON).body(body).post("/resources").then(), 401, "UNAUTHORIZED");
        expectError(given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body(body)
                .post("/resources").then(), 401, "UNAUTHORIZED");
        expectError(given().header("Authorization", "Basic czNjcmV0").get("/stats").then(), 401, "UNAUTHORIZED");
        given().header("Authorization", "Bearer s3cret").get("/resources").then().statusCode(200)
                .body("$", org.hamcrest.Matchers.hasSize(0));
    }

    @Test
    void theTokenOpensTheApi() {
        given().header("Authorization", "Bearer s3cret").contentType(ContentType.JSON)
                .body(Map.of("id", "vm-1", "type", "vm")).post("/resources").then().statusCode(201);
        given().header("Authorization", "Bearer s3cret").contentType(ContentType.JSON)
                .body(Map.of("worker_id", "w1", "resource_types", List.of("vm"))).post("/allocate").then().statusCode(200);
    }

    @Test
    void theResetReportNeedsTheTokenToo() {
        var authorized = given().header("Authorization", "Bearer s3cret").contentType(ContentType.JSON);
        authorized.body(Map.of("id", "vm-1", "type", "vm", "reset", true)).post("/resources").then().statusCode(201);
        given().header("Authorization", "Bearer s3cret").contentType(ContentType.JSON)
                .body(Map.of("worker_id", "w1", "resource_types", List.of("vm"))).post("/allocate").then().statusCode(200);
        given().header("Authorization", "Bearer s3cret").contentType(ContentType.JSON)
                .body(Map.of("worker_id", "w1", "resource_id", "vm-1")).post("/release").then().statusCode(200);
        Map<String, Object> report = Map.of("fencing_token", 1, "outcome", "done");
        expectError(given().contentType(ContentType.JSON).body(report).post("/resources/vm-1/reset").then(), 401,
                "UNAUTHORIZED");
        given().header("Authorization", "Bearer s3cret").contentType(ContentType.JSON).body(report)
                .post("/resources/vm-1/reset").then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("free"));
    }

    @Test
    void probesAndMetricsNeedNoToken() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }
}

package io.envgrid.allocator.health;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.registerPool;
import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.error.ErrorCode;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.WithRedis;
import io.envgrid.testsupport.openapi.ErrorResponsesCheck;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Health, Prometheus metrics and OpenAPI, as every envgrid service serves them. */
@QuarkusTest
@WithRedis
class ServiceEndpointsTest extends CleanRedis {

    @Test
    void healthChecksRedis() {
        get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", org.hamcrest.Matchers.hasItem(containsString("Redis")));
    }

    @Test
    void metricsCountAllocationsAndPoolState() {
        registerPool("rag", 2);
        allocate("w1", List.of("rag"), 60).statusCode(200);
        allocate("w2", List.of("rag", "rag"), 60).statusCode(409);
        Conditions.await(() -> get("/q/metrics").asString().contains("envgrid_pool_resources{state=\"leased\",type=\"rag\"} 1.0"),
                "pool gauge refreshed");
        get("/q/metrics").then().statusCode(200)
                .body(containsString("envgrid_allocations_total{outcome=\"granted\"}"))
                .body(containsString("envgrid_allocations_total{outcome=\"insufficient\"}"))
                .body(containsString("envgrid_allocation_latency_seconds_bucket"))
                .body(containsString("envgrid_lease_expiries_total"))
                .body(containsString("envgrid_allocation_waiting"));
    }

    @Test
    void openApiDescribesTheContract() {
        get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/allocate'.post.summary", containsString("all of the requested"))
                .body("paths.'/release/batch'.post", org.hamcrest.Matchers.notNullValue())
                // a refusal after another cell applied its part says what was applied
                .body("paths.'/release/batch'.post.responses.'403'.content.'application/json'.examples.'partly released'"
                        + ".value.toString()", containsString("applied"))
                .body("paths.'/renew'.post.responses.'403'.content.'application/json'.examples.'partly renewed'"
                        + ".value.toString()", containsString("renewed"))
                .body("paths.'/resources/{id}/heartbeat'.put", org.hamcrest.Matchers.notNullValue())
                // field names as on the wire (snake_case), not as the Java records spell them
                .body("components.schemas.AllocateRequest.properties.worker_id.type", org.hamcrest.Matchers.equalTo("string"))
                .body("components.schemas.AllocateRequest.properties.workerId", org.hamcrest.Matchers.nullValue());
    }

    /** Every operation documents its refusals in the envelope, each example with one of the allocator's codes. */
    @Test
    void openApiDocumentsTheErrors() throws Exception {
        var document = new ObjectMapper().readTree(get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        Assertions.assertEquals(List.of(), ErrorResponsesCheck.problems(document, ErrorResponsesCheck.codesOf(ErrorCode.class)));
        // a route's own refusal, and a shared one, each with its example
        Assertions.assertEquals("INSUFFICIENT_RESOURCES", document.at("/paths/~1allocate/post/responses/409/content"
                + "/application~1json/examples/INSUFFICIENT_RESOURCES/value/error/code").asText());
        Assertions.assertEquals("PAYLOAD_TOO_LARGE", document.at("/paths/~1allocate/post/responses/413/content"
                + "/application~1json/examples/PAYLOAD_TOO_LARGE/value/error/code").asText());
    }
}

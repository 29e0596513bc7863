package io.envgrid.deviceagent.limit;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.envgrid.deviceagent.support.AgentCalls;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** 100 requests per minute per client; the 101st gets 429 with Retry-After; service callers and desktop routes are exempt. */
@QuarkusTest
class RateLimitTest {

    @Test
    void the101stRequestOfAMinuteIsRefusedUnlessTheCallerIsAService() {
        for (int i = 0; i < 100; i++) {
            get("/health").then().statusCode(200);
        }
        get("/health").then().statusCode(429).header("Retry-After", notNullValue())
                .body("error.code", equalTo("RATE_LIMIT_EXCEEDED")).body("error.details.limit_per_minute", equalTo(100));
        get("/q/health/live").then().statusCode(200);
        AgentCalls.asService().get("/health").then().statusCode(200);
        // the OSWorld desktop routes are not the rate-limited device-management API: a controller polls them many times a step; past the
        // limit they still answer (here: the lock's 401, as this caller sends no credential), never 429
        for (int i = 0; i < 20; i++) {
            get("/platform").then().statusCode(401);
        }
    }
}

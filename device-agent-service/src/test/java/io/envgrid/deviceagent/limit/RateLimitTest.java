package io.envgrid.deviceagent.limit;

import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.envgrid.deviceagent.access.Credentials;
import io.envgrid.deviceagent.support.AgentCalls;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** 100 requests per minute per client; the 101st gets 429 with Retry-After; service callers and desktop routes are exempt. */
@QuarkusTest
class RateLimitTest {

    /** Whose quota the test measures: every window starts empty (another class may have called in the last minute). */
    @Inject
    RateLimiter limiter;

    @BeforeEach
    void startFromEmptyWindows() {
        limiter.forgetAll();
    }

    @TestHTTPResource("/")
    URL agent;

    @Test
    void the101stRequestOfAMinuteIsRefusedUnlessTheCallerIsAService() throws IOException {
        for (int i = 0; i < 100; i++) {
            get("/health").then().statusCode(200);
        }
        get("/health").then().statusCode(429).header("Retry-After", notNullValue())
                .body("error.code", equalTo("RATE_LIMIT_EXCEEDED")).body("error.details.limit_per_minute", equalTo(100));
        get("/q/health/live").then().statusCode(200);
        // the exemptions are decided on the routed path: a dot segment reaching /health through an exempt prefix is
        // still /health (before: all of these answered 200 past the limit)
        for (String dodge : new String[] {"/q/../health", "/q/%2E%2E/health", "/setup/../health", "/setup/%2e%2e/health",
                "/platform/../health", "/./q/../health"}) {
            assertEquals("HTTP/1.1 429", statusLine(dodge).substring(0, 12), dodge);
        }
        AgentCalls.asService().get("/health").then().statusCode(200);
        // the OSWorld desktop routes are not the rate-limited device-management API: a controller polls them many times a step; past the
        // limit they still answer (here: the lock's 401, as this caller sends no credential), never 429
        for (int i = 0; i < 20; i++) {
            get("/platform").then().statusCode(401);
        }
    }

    /**
     * Workers behind one gateway replica call from one address, each with its own lease token: each lease has its own
     * quota (before: one worker's 100 calls used up every other worker's).
     */
    @Test
    void eachLeaseTokenHasItsOwnQuotaWithinAnAddress() {
        String first = "elt_" + "a".repeat(22);
        String second = "elt_" + "b".repeat(22);
        for (int i = 0; i < 100; i++) {
            given().header(Credentials.LEASE_TOKEN_HEADER, first).get("/health").then().statusCode(200);
        }
        given().header(Credentials.LEASE_TOKEN_HEADER, first).get("/health").then().statusCode(429);
        given().header(Credentials.LEASE_TOKEN_HEADER, second).get("/health").then().statusCode(200);
    }

    /** The status line of a GET of {@code path} sent as written (HTTP clients resolve dot segments before sending). */
    private String statusLine(String path) throws IOException {
        try (Socket socket = new Socket(agent.getHost(), agent.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return answer.substring(0, answer.indexOf("\r\n"));
        }
    }
}

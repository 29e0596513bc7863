package io.envgrid.allocator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.WithRedis;
import io.envgrid.testsupport.http.Http2Requests;
import io.envgrid.testsupport.http.MalformedRequestsContract;
import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * A request's credential is checked on its head: a caller without the token (or with a wrong one) is refused before a
 * byte of its body is read, and its connection closed, so it cannot make the allocator take up to the body limit per
 * connection; a caller with the token is not answered until its body has come (the check is what answered).
 */
@QuarkusTest
@WithRedis
@TestProfile(ServiceTokenTest.WithToken.class)
class CredentialBeforeBodyTest extends CleanRedis implements MalformedRequestsContract {

    /** Under the 1M body limit, so that only the credential can refuse the request on its head. */
    private static final long BODY = 1_000_000;
    /** A refusal comes in milliseconds; this only bounds a failing run. */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);
    /** How long an admitted request's head is left without its body: no answer may come meanwhile. */
    private static final Duration WITHHELD = Duration.ofSeconds(1);

    @Inject
    Vertx vertx;

    static Stream<Map<String, String>> refusedCredentials() {
        return Stream.of(Map.of(), Map.of("Authorization", "Bearer wrong"), Map.of("Authorization", "Basic czNjcmV0"));
    }

    @ParameterizedTest
    @MethodSource("refusedCredentials")
    void aRefusedCredentialIsAnsweredBeforeTheBodyAndTheConnectionClosed(Map<String, String> credential) throws IOException {
        Map<String, String> headers = json(credential);
        for (RawHttp.Withheld answer : List.of(
                RawHttp.withheldBody(RestAssured.port, "POST", "/allocate", headers, BODY, PROMPTLY),
                RawHttp.withheldChunkedBody(RestAssured.port, "POST", "/allocate", headers, PROMPTLY))) {
            assertTrue(answer.beforeBody(), "answered only after the body: " + answer);
            assertEquals(401, answer.status(), answer.response().body());
            assertEquals("UNAUTHORIZED", JsonPath.from(answer.response().body()).getString("error.code"));
            assertTrue(answer.closed(), "the connection stayed open for the rest of the body");
        }
    }

    /** HTTP/2 (prior knowledge) frames a body without Content-Length or Transfer-Encoding: still refused on its head. */
    @Test
    void anHttp2BodyWithoutALengthIsRefusedOnItsHead() throws Exception {
        assertEquals(OptionalInt.of(401), Http2Requests.statusBeforeBody(vertx, RestAssured.port, "/allocate",
                Map.of("Content-Type", "application/json"), PROMPTLY));
    }

    @Test
    void theServiceTokenIsAnsweredOnlyOnceTheBodyCame() throws IOException {
        Map<String, String> headers = json(Map.of("Authorization", "Bearer s3cret"));
        for (RawHttp.Withheld answer : List.of(
                RawHttp.withheldBody(RestAssured.port, "POST", "/allocate", headers, BODY, WITHHELD),
                RawHttp.withheldChunkedBody(RestAssured.port, "POST", "/allocate", headers, WITHHELD))) {
            assertFalse(answer.beforeBody(), "answered before the body came: " + answer.response().body());
            // the body sent after the wait is not JSON: the request got as far as reading it
            assertEquals(400, answer.status(), answer.response().body());
        }
    }

    private static Map<String, String> json(Map<String, String> credential) {
        Map<String, String> headers = new HashMap<>(credential);
        headers.put("Content-Type", "application/json");
        return headers;
    }

    @Override
    public Target malformedRequests() {
        return new Target(RestAssured.port, "/allocate", List.of("/resources/%ZZ/drain", "/allocate%", "/resources/a/%/x"),
                Map.entry("Authorization", "Bearer s3cret"));
    }
}

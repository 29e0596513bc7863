package io.envgrid.gateway.security;

import static io.envgrid.gateway.security.TokenAuth.FIXED;
import static io.envgrid.gateway.security.TokenAuth.OPS;
import static io.envgrid.gateway.security.TokenAuth.SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.support.WithCluster;
import io.envgrid.testsupport.http.Http2Requests;
import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every door that takes a body (MCP's {@code /mcp} and {@code /messages}, the Sandbox API, the admin API) checks the
 * credential on the request's head: no token, a wrong one or a revoked one is refused before a byte of the body is
 * read, and the connection closed, so an anonymous caller cannot make the gateway take up to the body limit per
 * connection. A valid token is not answered until its body has come (the check is what answered).
 */
@QuarkusTest
@WithCluster
@TestProfile(TokenAuth.class)
class CredentialBeforeBodyTest {

    /** Under the 1M body limit, so that only the credential can refuse the request on its head. */
    private static final long BODY = 1_000_000;
    /** A refusal comes in milliseconds; this only bounds a failing run. */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);
    /** How long an admitted request's head is left without its body: no answer may come meanwhile. */
    private static final Duration WITHHELD = Duration.ofSeconds(1);
    private static final List<String> DOORS = List.of("/mcp", "/messages?sessionId=s1", "/execute", "/session/create",
            "/admin/token-revocations");

    @Inject
    RevokedTokens revoked;

    @Inject
    Vertx vertx;

    @Test
    void aMissingWrongOrRevokedTokenIsRefusedBeforeTheBodyAndTheConnectionClosed() throws IOException {
        String revokedToken = TokenVerifier.mint("revoked-" + UUID.randomUUID(), List.of("auth-*"),
                Instant.now().plus(Duration.ofMinutes(10)), SECRET);
        revoked.revoke(TokenVerifier.tokenIdOf(revokedToken), Instant.now().plus(Duration.ofMinutes(10))).await()
                .atMost(Duration.ofSeconds(10));
        List<Map<String, String>> refused = List.of(Map.of(), Map.of("Authorization", "Bearer not-it"),
                Map.of("Authorization", "Bearer " + revokedToken));
        for (String door : DOORS) {
            for (Map<String, String> credential : refused) {
                for (RawHttp.Withheld answer : withheld(door, credential, PROMPTLY)) {
                    String what = door + " " + credential + ": ";
                    assertTrue(answer.beforeBody(), what + "answered only after the body");
                    assertEquals(401, answer.status(), what + answer.response().body());
                    JsonPath body = JsonPath.from(answer.response().body());
                    if (door.startsWith("/mcp") || door.startsWith("/messages")) {
                        assertEquals(-32003, body.getInt("error.code"), what + "a JSON-RPC error");
                    } else {
                        assertEquals("UNAUTHORIZED", body.getString("error.code"), what + "the envelope");
                    }
                    assertTrue(answer.closed(), what + "the connection stayed open for the rest of the body");
                }
            }
        }
    }

    @Test
    void aForeignOriginIsRefusedBeforeTheBody() throws IOException {
        for (String door : DOORS) {
            for (RawHttp.Withheld answer : withheld(door, Map.of("Authorization", "Bearer " + FIXED, "Origin",
                    "http://evil.example"), PROMPTLY)) {
                assertTrue(answer.beforeBody(), door + ": answered only after the body");
                assertEquals(403, answer.status(), door + ": " + answer.response().body());
                assertTrue(answer.closed(), door + ": the connection stayed open for the rest of the body");
            }
        }
    }

    /**
     * The exempt prefixes ({@code /q/}, {@code /socket.io/}) are told by the path the routes match: a dot segment past
     * one, plain or percent-encoded, reaches a door, and is checked on its head like the door itself.
     */
    @Test
    void aDotSegmentPastAnExemptPrefixIsCheckedOnTheHead() throws IOException {
        for (String door : List.of("/q/../mcp", "/q/%2E%2E/mcp", "/socket.io/../execute")) {
            for (RawHttp.Withheld answer : withheld(door, Map.of(), PROMPTLY)) {
                assertTrue(answer.beforeBody(), door + ": answered only after the body");
                assertEquals(401, answer.status(), door + ": " + answer.response().body());
                assertTrue(answer.closed(), door + ": the connection stayed open for the rest of the body");
            }
        }
    }

    /** HTTP/2 (prior knowledge) frames a body without Content-Length or Transfer-Encoding: still refused on its head. */
    @Test
    void anHttp2BodyWithoutALengthIsRefusedOnItsHead() throws Exception {
        for (String door : List.of("/mcp", "/execute")) {
            assertEquals(OptionalInt.of(401), Http2Requests.statusBeforeBody(vertx, RestAssured.port, door,
                    Map.of("Content-Type", "application/json"), PROMPTLY), door);
        }
    }

    @Test
    void anOperatorsTokenIsAnsweredOnlyOnceTheBodyCame() throws IOException {
        for (String door : DOORS) {
            for (RawHttp.Withheld answer : withheld(door, Map.of("Authorization", "Bearer " + OPS), WITHHELD)) {
                assertFalse(answer.beforeBody(), door + ": answered before the body came: " + answer.response().body());
                // the body sent after the wait is not JSON: the request got as far as reading it
                assertEquals(400, answer.status(), door + ": " + answer.response().body());
            }
        }
    }

    /** {@code door} with its body withheld, declared and chunked. */
    private static List<RawHttp.Withheld> withheld(String door, Map<String, String> credential, Duration timeout)
            throws IOException {
        Map<String, String> headers = new HashMap<>(credential);
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json, text/event-stream");
        List<RawHttp.Withheld> answers = new ArrayList<>();
        answers.add(RawHttp.withheldBody(RestAssured.port, "POST", door, headers, BODY, timeout));
        answers.add(RawHttp.withheldChunkedBody(RestAssured.port, "POST", door, headers, timeout));
        return answers;
    }
}

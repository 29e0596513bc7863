package io.envgrid.rag.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.rag.api.Api;
import io.envgrid.testsupport.http.MalformedRequests;
import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a call's head alone refuses is refused before a byte of its body is read, and the connection closed: a write
 * with no credential or a bearer that is not the service token, a lease token that is not one in form (searches too),
 * a lease token with no allocator to check it (this profile has none). So nobody without a credential can make the
 * service take up to the body limit (16 MB) per connection. The service token, and an anonymous search (open on a
 * collection nobody leases), are not answered until their body has come (the check is what answered).
 */
@QuarkusTest
class CredentialBeforeBodyTest {

    /** Well under the 16M body limit, so that only the credential can refuse the request on its head. */
    private static final long BODY = 1_000_000;
    /** A refusal comes in milliseconds; this only bounds a failing run. */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);
    /** How long an admitted request's head is left without its body: no answer may come meanwhile. */
    private static final Duration WITHHELD = Duration.ofSeconds(1);
    private static final String WRITE = "/collections/head-check/documents";
    private static final String LEASE = Credentials.LEASE_TOKEN_HEADER;

    @Test
    void aWriteWithoutCredentialOrAnyMalformedLeaseTokenIsRefusedBeforeTheBody() throws IOException {
        List<Map.Entry<String, Map<String, String>>> refused = List.of(
                Map.entry(WRITE, Map.of()),
                Map.entry(WRITE, Map.of("Authorization", "Bearer not-the-token")),
                Map.entry("/search", Map.of(LEASE, "elt_short")),
                Map.entry("/search", Map.of(LEASE, "elt_AAAAAAAAAAAAAAAAAAAAAA")), // in form, but no allocator to ask
                Map.entry(WRITE, Map.of(LEASE, "not-a-token", "Authorization", "Bearer " + Api.SERVICE_TOKEN)));
        for (Map.Entry<String, Map<String, String>> call : refused) {
            for (RawHttp.Withheld answer : withheld(call.getKey(), call.getValue(), PROMPTLY)) {
                String what = call + ": ";
                assertTrue(answer.beforeBody(), what + "answered only after the body");
                assertEquals(401, answer.status(), what + answer.response().body());
                assertEquals("UNAUTHORIZED", JsonPath.from(answer.response().body()).getString("error.code"));
                assertTrue(answer.closed(), what + "the connection stayed open for the rest of the body");
            }
        }
    }

    @Test
    void theServiceTokenAndAnOpenSearchAreAnsweredOnlyOnceTheBodyCame() throws IOException {
        List<Map.Entry<String, Map<String, String>>> admitted = List.of(
                Map.entry(WRITE, Map.of("Authorization", "Bearer " + Api.SERVICE_TOKEN)), Map.entry("/search", Map.of()));
        for (Map.Entry<String, Map<String, String>> call : admitted) {
            for (RawHttp.Withheld answer : withheld(call.getKey(), call.getValue(), WITHHELD)) {
                assertFalse(answer.beforeBody(), call + ": answered before the body came: " + answer.response().body());
                // the body sent after the wait is not JSON: the request got as far as reading it
                assertEquals(400, answer.status(), call + ": " + answer.response().body());
            }
        }
    }

    /** {@code target} with its body withheld, declared and chunked. */
    private static List<RawHttp.Withheld> withheld(String target, Map<String, String> credential, Duration timeout)
            throws IOException {
        Map<String, String> headers = new HashMap<>(credential);
        headers.put("Content-Type", target.equals(WRITE) ? "application/jsonl" : "application/json");
        return List.of(RawHttp.withheldBody(RestAssured.port, "POST", target, headers, BODY, timeout),
                RawHttp.withheldChunkedBody(RestAssured.port, "POST", target, headers, timeout));
    }

    /** A path Vert.x cannot normalize ({@code %/}, {@code %ZZ}) is still a 4xx, never a 5xx (the head check once threw on it). */
    @Test
    void aPathWithAnEscapeThatIsNoneIsA4xx() throws IOException {
        for (String target : List.of("/collections/%ZZ/documents", "/collections/a/%/x", "/search%")) {
            RawHttp.Response answer = RawHttp.send(RestAssured.port, "POST", target, "application/json",
                    Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
            assertTrue(answer.status() >= 400 && answer.status() < 500, target + ": " + answer.status() + " " + answer.body());
            assertEnvelope(target, answer);
        }
    }

    /**
     * A target that is no URI (a bad percent-escape in the path or the query, a cut UTF-8 escape, a raw brace) is 400 with
     * the envelope, with or without a credential. Was: Quarkus' own URI check answered an empty 400 before any route.
     */
    @Test
    void aTargetThatIsNoUriIs400WithTheEnvelope() throws IOException {
        for (String target : MalformedRequests.notUris("/search")) {
            for (String method : List.of("GET", "POST")) {
                RawHttp.Response answer = RawHttp.send(RestAssured.port, method, target, "application/json",
                        Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
                assertEquals(400, answer.status(), method + " " + target + ": " + answer.body());
                assertEnvelope(method + " " + target, answer);
            }
        }
    }

    /** A target whose escapes do not decode to UTF-8 is a 4xx with the envelope, never a 5xx. */
    @Test
    void aTargetThatDoesNotDecodeIsA4xxWithTheEnvelope() throws IOException {
        for (String target : MalformedRequests.undecodable("/search")) {
            for (String method : List.of("GET", "POST")) {
                RawHttp.Response answer = RawHttp.send(RestAssured.port, method, target, "application/json",
                        Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
                assertTrue(answer.status() >= 400 && answer.status() < 500, method + " " + target + ": " + answer.status());
                assertEnvelope(method + " " + target, answer);
            }
        }
    }

    /**
     * A request head that is not valid HTTP, with a valid credential, is a 4xx: the codec's own answer (no body) before
     * any route, or the envelope where a route answers it. Was: a Transfer-Encoding not ending in chunked was taken as
     * a body up to the connection's close, and no answer came (the read timed out).
     */
    @Test
    void aMalformedHeadIsA4xx() throws IOException {
        for (Map.Entry<String, byte[]> head : MalformedRequests.heads("/search", Map.entry("Authorization", "Bearer " + Api.SERVICE_TOKEN)).entrySet()) {
            if (head.getKey().equals(MalformedRequests.UNANSWERED)) {
                assertThrows(IOException.class, () -> RawHttp.sendBytes(RestAssured.port, head.getValue()));
                continue;
            }
            RawHttp.Response answer = RawHttp.sendBytes(RestAssured.port, head.getValue());
            System.out.println("malformed head '" + head.getKey() + "': " + answer.status() + " '" + answer.body() + "'");
            assertTrue(answer.status() >= 400 && answer.status() < 500, head.getKey() + ": " + answer.status());
            if (!answer.body().isEmpty()) {
                assertEnvelope(head.getKey(), answer);
            }
        }
        // and the service still answers
        assertEquals(200, RawHttp.send(RestAssured.port, "GET", "/q/health/live", null, null).status());
    }

    private static void assertEnvelope(String target, RawHttp.Response answer) throws IOException {
        JsonNode error = new ObjectMapper().readTree(answer.body().isEmpty() ? "{}" : answer.body()).path("error");
        assertTrue(error.path("code").isTextual() && error.path("message").isTextual()
                && error.path("timestamp").isTextual() && error.path("details").isObject(),
                target + ": " + answer.status() + " without the envelope: '" + answer.body() + "'");
    }
}

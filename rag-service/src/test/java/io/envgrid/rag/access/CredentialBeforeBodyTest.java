package io.envgrid.rag.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.rag.api.Api;
import io.envgrid.testsupport.http.MalformedRequestsContract;
import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
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
class CredentialBeforeBodyTest implements MalformedRequestsContract {

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

    @Override
    public Target malformedRequests() {
        return new Target(RestAssured.port, "/search", List.of("/collections/%ZZ/documents", "/collections/a/%/x", "/search%"),
                Map.entry("Authorization", "Bearer " + Api.SERVICE_TOKEN));
    }
}

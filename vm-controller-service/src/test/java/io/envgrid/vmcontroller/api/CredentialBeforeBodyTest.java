package io.envgrid.vmcontroller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.testsupport.http.Http2Requests;
import io.envgrid.testsupport.http.RawHttp;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * A session call's lease token is checked on the request's head: none, a blank one or one too long to be a lease token
 * is refused before a byte of the body is read, and the connection closed, so a caller without a token cannot make
 * the controller take up to the body limit (32 MB) per connection. The live lease's token is not answered until its
 * body has come (the check is what answered).
 */
@QuarkusTest
@WithRedis
class CredentialBeforeBodyTest extends WithFakeVm {

    /** Well under the 32M body limit, so that only the credential can refuse the request on its head. */
    private static final long BODY = 1_000_000;
    /** A refusal comes in milliseconds; this only bounds a failing run. */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);
    /** How long an admitted request's head is left without its body: no answer may come meanwhile. */
    private static final Duration WITHHELD = Duration.ofSeconds(1);

    @Inject
    Vertx vertx;

    @Test
    void aMissingBlankOrOverlongTokenIsRefusedBeforeTheBodyAndTheConnectionClosed() throws IOException {
        for (Map<String, String> credential : List.of(Map.<String, String>of(), Map.of(Api.LEASE_TOKEN, ""),
                Map.of(Api.LEASE_TOKEN, "elt_" + "A".repeat(200)))) {
            for (RawHttp.Withheld answer : withheld(credential, PROMPTLY)) {
                assertTrue(answer.beforeBody(), credential + ": answered only after the body");
                assertEquals(401, answer.status(), answer.response().body());
                assertEquals("UNAUTHORIZED", JsonPath.from(answer.response().body()).getString("error.code"));
                assertTrue(answer.closed(), credential + ": the connection stayed open for the rest of the body");
            }
        }
        assertTrue(vm.received().isEmpty());
    }

    /** HTTP/2 (prior knowledge) frames a body without Content-Length or Transfer-Encoding: still refused on its head. */
    @Test
    void anHttp2BodyWithoutALengthIsRefusedOnItsHead() throws Exception {
        assertEquals(OptionalInt.of(401), Http2Requests.statusBeforeBody(vertx, RestAssured.port,
                Api.session(worker, resource) + "/python", Map.of("Content-Type", "application/json"), PROMPTLY));
        assertTrue(vm.received().isEmpty());
    }

    @Test
    void theLiveLeaseTokenIsAnsweredOnlyOnceTheBodyCame() throws IOException {
        for (RawHttp.Withheld answer : withheld(Map.of(Api.LEASE_TOKEN, token), WITHHELD)) {
            assertFalse(answer.beforeBody(), "answered before the body came: " + answer.response().body());
            // the body sent after the wait is not JSON: the request got as far as reading it
            assertEquals(400, answer.status(), answer.response().body());
        }
    }

    /** A {@code python} call with its body withheld, declared and chunked. */
    private List<RawHttp.Withheld> withheld(Map<String, String> credential, Duration timeout) throws IOException {
        Map<String, String> headers = new HashMap<>(credential);
        headers.put("Content-Type", "application/json");
        String target = Api.session(worker, resource) + "/python";
        return List.of(RawHttp.withheldBody(RestAssured.port, "POST", target, headers, BODY, timeout),
                RawHttp.withheldChunkedBody(RestAssured.port, "POST", target, headers, timeout));
    }

    /** A path Vert.x cannot normalize ({@code %/}, {@code %ZZ}) is still a 4xx, never a 5xx (the head check once threw on it). */
    @Test
    void aPathWithAnEscapeThatIsNoneIsA4xx() throws IOException {
        for (String target : List.of("/sessions/a/b/%/task/setup", "/sessions/a/%ZZ/files/read")) {
            RawHttp.Response answer = RawHttp.send(RestAssured.port, "POST", target, "application/json",
                    Map.of(Api.LEASE_TOKEN, token), "{}".getBytes(StandardCharsets.UTF_8));
            assertTrue(answer.status() >= 400 && answer.status() < 500, target + ": " + answer.status() + " " + answer.body());
        }
    }
}

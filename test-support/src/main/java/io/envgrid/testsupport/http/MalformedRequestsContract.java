package io.envgrid.testsupport.http;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tests of {@link MalformedRequests} against a running service, for a test class to implement (JUnit runs these
 * default methods as the class's own tests): every request is a 4xx with the service's envelope, never a 5xx, and the
 * service serves on. The class says where, in {@link #malformedRequests()}. The assertions are
 * {@link MalformedRequestChecks}'.
 */
public interface MalformedRequestsContract {

    /**
     * Where the malformed requests go.
     *
     * @param port the service's HTTP port on localhost (a {@code @QuarkusTest}'s {@code RestAssured.port})
     * @param path a route of the service (starting with {@code /}) below which the malformed targets are made
     * @param badEscapes targets with an escape Vert.x cannot normalize ({@code %/}, {@code %ZZ}) on the service's routes
     * @param credential a header that admits a request on its head (a valid credential), so that a malformed head gets
     *     past that check to whatever reads the body
     */
    record Target(int port, String path, List<String> badEscapes, Map.Entry<String, String> credential) {
    }

    /** The service under test; called by each test, once the service runs. */
    Target malformedRequests();

    /** A path Vert.x cannot normalize is still a 4xx, never a 5xx (the head check once threw on it). */
    @Test
    default void aPathWithAnEscapeThatIsNoneIsA4xx() throws IOException {
        Target target = malformedRequests();
        MalformedRequestChecks.assertBadEscapesAre4xx(target.port(), target.badEscapes());
    }

    /**
     * A target that is no URI (a bad percent-escape in the path or the query, a cut UTF-8 escape, a raw brace) is 400
     * with the envelope, with or without a credential. Was: Quarkus' own URI check answered an empty 400 before any
     * route.
     */
    @Test
    default void aTargetThatIsNoUriIs400WithTheEnvelope() throws IOException {
        Target target = malformedRequests();
        MalformedRequestChecks.assertNotUrisAre400(target.port(), target.path());
    }

    /** A target whose escapes do not decode to UTF-8 is a 4xx with the envelope, never a 5xx. */
    @Test
    default void aTargetThatDoesNotDecodeIsA4xxWithTheEnvelope() throws IOException {
        Target target = malformedRequests();
        MalformedRequestChecks.assertUndecodableAre4xx(target.port(), target.path());
    }

    /**
     * A request head that is not valid HTTP, with a valid credential, is a 4xx: the codec's own answer (no body) before
     * any route, or the envelope where a route answers it. Was: a Transfer-Encoding not ending in chunked was taken as
     * a body up to the connection's close, and no answer came (the read timed out).
     */
    @Test
    default void aMalformedHeadIsA4xx() throws IOException {
        Target target = malformedRequests();
        MalformedRequestChecks.assertMalformedHeadsAre4xx(target.port(), target.path(), target.credential());
    }
}

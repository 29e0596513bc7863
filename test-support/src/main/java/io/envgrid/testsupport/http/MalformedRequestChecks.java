package io.envgrid.testsupport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The assertions a service's test makes with {@link MalformedRequests} against a running service on
 * {@code localhost:port}: each request is sent over a raw connection ({@link RawHttp}) and its answer must be a 4xx
 * (400 where it says so) with the service's error envelope ({@code {"error": {code, message, timestamp, details}}}).
 * JUnit's assertions: a failure names the request and the answer.
 */
public final class MalformedRequestChecks {

    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.UTF_8);

    private MalformedRequestChecks() {
    }

    /**
     * Each of {@code targets}, paths with an escape Vert.x cannot normalize ({@code %/}, {@code %ZZ}), POSTed with a JSON
     * body {@code {}}, is a 4xx with the envelope, never a 5xx.
     */
    public static void assertBadEscapesAre4xx(int port, List<String> targets) throws IOException {
        for (String target : targets) {
            RawHttp.Response answer = RawHttp.send(port, "POST", target, "application/json", Map.of(), EMPTY_OBJECT);
            assertTrue(answer.status() >= 400 && answer.status() < 500, target + ": " + answer.status() + " " + answer.body());
            assertEnvelope(target, answer);
        }
    }

    /**
     * Each of {@link MalformedRequests#notUris(String) notUris(path)}, as GET and as POST with a JSON body and no
     * credential, is 400 with the envelope.
     */
    public static void assertNotUrisAre400(int port, String path) throws IOException {
        for (String target : MalformedRequests.notUris(path)) {
            for (String method : List.of("GET", "POST")) {
                RawHttp.Response answer = RawHttp.send(port, method, target, "application/json", Map.of(), EMPTY_OBJECT);
                assertEquals(400, answer.status(), method + " " + target + ": " + answer.body());
                assertEnvelope(method + " " + target, answer);
            }
        }
    }

    /**
     * Each of {@link MalformedRequests#undecodable(String) undecodable(path)}, as GET and as POST with a JSON body and no
     * credential, is a 4xx with the envelope.
     */
    public static void assertUndecodableAre4xx(int port, String path) throws IOException {
        for (String target : MalformedRequests.undecodable(path)) {
            for (String method : List.of("GET", "POST")) {
                RawHttp.Response answer = RawHttp.send(port, method, target, "application/json", Map.of(), EMPTY_OBJECT);
                assertTrue(answer.status() >= 400 && answer.status() < 500, method + " " + target + ": " + answer.status());
                assertEnvelope(method + " " + target, answer);
            }
        }
    }

    /**
     * Each of {@link MalformedRequests#heads(String, Map.Entry) heads(path, credential)} is a 4xx, the envelope where
     * it has a body (the HTTP codec's own answers have none); {@link MalformedRequests#UNANSWERED} gets no answer (an
     * IOException). Then {@code GET /q/health/live} must still be 200: the service serves on.
     */
    public static void assertMalformedHeadsAre4xx(int port, String path, Map.Entry<String, String> credential)
            throws IOException {
        for (Map.Entry<String, byte[]> head : MalformedRequests.heads(path, credential).entrySet()) {
            if (head.getKey().equals(MalformedRequests.UNANSWERED)) {
                assertThrows(IOException.class, () -> RawHttp.sendBytes(port, head.getValue()));
                continue;
            }
            RawHttp.Response answer = RawHttp.sendBytes(port, head.getValue());
            System.out.println("malformed head '" + head.getKey() + "': " + answer.status() + " '" + answer.body() + "'");
            assertTrue(answer.status() >= 400 && answer.status() < 500, head.getKey() + ": " + answer.status());
            if (!answer.body().isEmpty()) {
                assertEnvelope(head.getKey(), answer);
            }
        }
        assertEquals(200, RawHttp.send(port, "GET", "/q/health/live", null, null).status());
    }

    /** {@code answer}'s body is the error envelope; {@code what} names the request in the failure's message. */
    public static void assertEnvelope(String what, RawHttp.Response answer) throws IOException {
        JsonNode error = new ObjectMapper().readTree(answer.body().isEmpty() ? "{}" : answer.body()).path("error");
        assertTrue(error.path("code").isTextual() && error.path("message").isTextual()
                && error.path("timestamp").isTextual() && error.path("details").isObject(),
                what + ": " + answer.status() + " without the envelope: '" + answer.body() + "'");
    }
}

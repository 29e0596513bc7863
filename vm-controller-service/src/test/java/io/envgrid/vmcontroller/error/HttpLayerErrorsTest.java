package io.envgrid.vmcontroller.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.envgrid.testsupport.http.MalformedRequests;
import io.envgrid.testsupport.http.RawHttp;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithRedis;

/**
 * The kinds of fault the fuzz found in the HTTP layer, each pinned: requests refused before any
 * resource method runs still get the error envelope (and change nothing: no session exists for
 * these paths, and the refusal happens before the session filter).
 */
@QuarkusTest
@WithRedis
class HttpLayerErrorsTest extends WithFakeVm {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void badPercentEscapeInAnUnusedQueryIsIgnored() throws IOException {
        // Quarkus' URI check used to answer this with a bare 400; no endpoint reads a query string.
        String[] reply = raw("GET " + Api.session(worker, resource) + "/platform?a=%ZZ HTTP/1.1\r\n"
                + Api.LEASE_TOKEN + ": " + token + "\r\n", null);
        assertEquals("HTTP/1.1 200 OK", reply[0]);
        assertEquals("Linux", JSON.readTree(reply[1]).path("platform").asText());
    }

    @Test
    void badPercentEscapeInThePathIsA400WithTheEnvelope() throws IOException {
        assertEnvelope(raw("DELETE /sessions/%ZZ/" + resource + " HTTP/1.1\r\n" + Api.LEASE_TOKEN + ": " + token
                + "\r\n", ""), 400, "HTTP_ERROR");
        assertEnvelope(raw("GET /sessions/" + worker + "/%E2%ZZ/platform HTTP/1.1\r\n" + Api.LEASE_TOKEN + ": "
                + token + "\r\n", null), 400, "HTTP_ERROR");
        assertTrue(vm.received().isEmpty());
        Api.get(token, worker, resource).statusCode(200).extract();
    }

    @Test
    void bodyOverTheLimitIsA413WithTheEnvelope() throws IOException {
        // quarkus.http.limits.max-body-size is 32M; the declared length alone is refused.
        assertEnvelope(raw("POST " + Api.session(worker, resource) + "/python HTTP/1.1\r\n" + Api.LEASE_TOKEN + ": "
                + token + "\r\nContent-Type: application/json\r\nContent-Length: 40000000\r\n", null), 413,
                "BODY_TOO_LARGE");
        assertTrue(vm.received().isEmpty());
    }

    /**
     * Was: a chunked body past the limit (one byte past it, no last chunk) waited for the 60 s read
     * timeout: Quarkus REST read it and drained the rest before answering.
     */
    @Test
    void chunkedBodyOverTheLimitIsA413WithTheEnvelopePromptly() throws IOException {
        long start = System.nanoTime();
        RawHttp.Response response = RawHttp.oversized(RestAssured.port, Api.session(worker, resource) + "/python",
                "application/json", Map.of(Api.LEASE_TOKEN, token), 32L * 1024 * 1024, true);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEnvelope(new String[] {"HTTP/1.1 " + response.status(), response.body()}, 413, "BODY_TOO_LARGE");
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "answered after " + took);
        assertTrue(vm.received().isEmpty());
    }

    @Test
    void metricsWithAnAcceptItCannotServeIsA406WithTheEnvelope() throws IOException {
        assertEnvelope(raw("GET /q/metrics HTTP/1.1\r\nAccept: application/json\r\n", null), 406, "HTTP_ERROR");
        assertEnvelope(raw("GET /q/metrics HTTP/1.1\r\nAccept: text/plain;q=0, application/xml\r\n", null), 406,
                "HTTP_ERROR");
        assertEnvelope(raw("GET /q/metrics HTTP/1.1\r\nAccept: application/openmetrics-text\r\n", null), 406,
                "HTTP_ERROR");
        // Found by FuzzTest: a path below /q/metrics reached the Prometheus route's own bare 406.
        assertEnvelope(raw("GET /q/metrics/extra HTTP/1.1\r\nAccept: application/json;q=0\r\n", null), 406,
                "HTTP_ERROR");
        assertEnvelope(raw("GET /q/metrics/ HTTP/1.1\r\nAccept: application/xml\r\n", null), 406, "HTTP_ERROR");
        for (String accept : new String[] {"text/plain", "*/*", "text/*;q=0.5", "application/json, text/plain;q=0.1"}) {
            String[] reply = raw("GET /q/metrics HTTP/1.1\r\nAccept: " + accept + "\r\n", null);
            assertEquals("HTTP/1.1 200 OK", reply[0], accept);
        }
        assertEquals("HTTP/1.1 200 OK", raw("GET /q/metrics HTTP/1.1\r\n", null)[0]);
    }

    /**
     * Request heads that are no valid HTTP (test-support's list), with the lease token: each a 4xx, the envelope when a
     * route answers, nothing sent to the VM. Was: a Transfer-Encoding not ending in chunked was taken as a body up to
     * the connection's close, and no answer came.
     */
    @Test
    void malformedHeadsAre4xx() throws IOException {
        for (Map.Entry<String, byte[]> head : MalformedRequests.heads(Api.session(worker, resource) + "/python",
                Map.entry(Api.LEASE_TOKEN, token)).entrySet()) {
            if (head.getKey().equals(MalformedRequests.UNANSWERED)) {
                assertThrows(IOException.class, () -> RawHttp.sendBytes(RestAssured.port, head.getValue()));
                continue;
            }
            RawHttp.Response answer = RawHttp.sendBytes(RestAssured.port, head.getValue());
            assertTrue(answer.status() >= 400 && answer.status() < 500, head.getKey() + ": " + answer.status());
            if (!answer.body().isEmpty()) {
                JsonNode error = JSON.readTree(answer.body()).path("error");
                assertTrue(error.path("code").isTextual() && error.path("details").isObject(), head.getKey() + ": "
                        + answer.body());
            }
        }
        assertTrue(vm.received().isEmpty());
    }

    private static void assertEnvelope(String[] reply, int status, String code) throws IOException {
        assertEquals(status, Integer.parseInt(reply[0].substring(9, 12)), reply[0]);
        JsonNode error = JSON.readTree(reply[1]).path("error");
        assertEquals(code, error.path("code").asText(), reply[1]);
        assertTrue(error.path("message").isTextual() && error.path("details").isObject()
                && error.path("timestamp").isTextual(), reply[1]);
    }

    /** Sends {@code head} (request line and headers) and {@code body} as they are; returns status line and body. */
    private static String[] raw(String head, String body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(20_000);
            String request = head + "Host: localhost\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Length: " + body.length() + "\r\n") + "\r\n"
                    + (body == null ? "" : body);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = reply.indexOf("\r\n\r\n");
            String content = reply.substring(end + 4);
            if (reply.substring(0, end).toLowerCase().contains("transfer-encoding: chunked")) {
                content = content.substring(content.indexOf("\r\n") + 2, content.lastIndexOf("\r\n0\r\n"));
            }
            return new String[] {reply.substring(0, reply.indexOf("\r\n")), content};
        }
    }
}

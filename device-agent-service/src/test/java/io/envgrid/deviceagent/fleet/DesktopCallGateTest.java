package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.support.HeldRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The head check of a desktop's port ({@link DesktopCallGate} with a {@link DesktopHeadCheck}), on a port built as
 * {@link DesktopPorts} builds it in front of a stand-in for the agent's port, with a check that admits one token only;
 * no Quarkus. {@code DesktopPortRateLimitTest} shows the same against the real lease check and allocator.
 */
class DesktopCallGateTest {

    private static final int PLACES = 3;
    private static final String GOOD = "good-token";

    private Vertx vertx;
    private HttpServer agent;
    private HttpServer desktop;
    private DesktopCallGate gate;
    private final AtomicInteger checks = new AtomicInteger();
    private final List<HeldRequest> trickles = new ArrayList<>();

    @BeforeEach
    void port() throws Exception {
        vertx = Vertx.vertx();
        agent = vertx.createHttpServer().requestHandler(request -> request.body()
                .onSuccess(body -> request.response().end("agent:" + body.length())))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        DesktopHeadCheck onlyGood = headers -> {
            checks.incrementAndGet();
            return GOOD.equals(headers.get("X-Envgrid-Lease-Token")) ? Future.succeededFuture()
                    : Future.failedFuture(new ApiException(409, ErrorCode.LEASE_NOT_LIVE, "not live",
                            Map.of("resource_id", "desktop-0")));
        };
        gate = new DesktopCallGate(new ObjectMapper(), "0", "mark", PLACES, onlyGood);
        desktop = DesktopPorts.desktopServer(vertx, vertx.createHttpClient(new HttpClientOptions()), agent::actualPort,
                gate, new DesktopPortConnections(vertx, "0", 100, Duration.ofSeconds(30)))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        for (HeldRequest trickle : trickles) {
            trickle.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void refusedCredentialsTricklingBodiesAreAnsweredAtOnceAndTakeNoPlace() throws Exception {
        URI port = URI.create("http://127.0.0.1:" + desktop.actualPort());
        // more trickling calls than places, declared and chunked bodies, each sending a few bytes of its body
        for (int i = 0; i < PLACES * 2; i++) {
            byte[] head = i % 2 == 0
                    ? HeldRequest.head(port, "POST", "/execute", "application/json", 4096,
                            "X-Envgrid-Lease-Token: made-up-" + i)
                    : HeldRequest.head(port, "POST", "/setup/upload", "multipart/form-data; boundary=b", -1,
                            "X-Envgrid-Lease-Token: made-up-" + i, "Transfer-Encoding: chunked");
            HeldRequest trickle = HeldRequest.begin(port, concat(head, i % 2 == 0 ? "{\"co" : "4\r\n--b\r"));
            trickles.add(trickle);
            String answer = trickle.answer(Duration.ofSeconds(5));
            assertTrue(answer.startsWith("HTTP/1.1 409"), answer);
            assertTrue(answer.contains("\"LEASE_NOT_LIVE\""), answer);
        }
        assertEquals(0, gate.inFlight(), "no refused call holds a place");

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // the holder's call with a body is checked and admitted
        HttpResponse<String> held = http.send(HttpRequest.newBuilder(URI.create(port + "/execute"))
                .header("X-Envgrid-Lease-Token", GOOD).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"true\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, held.statusCode(), held.body());
        assertEquals("agent:18", held.body());
        int checked = checks.get();
        // a call without a body arrives whole: the route checks it, the port does not ask a second time
        HttpResponse<String> bodiless = http.send(HttpRequest.newBuilder(URI.create(port + "/platform"))
                .header("X-Envgrid-Lease-Token", "made-up").timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("agent:0", bodiless.body());
        assertEquals(checked, checks.get());
        // a refused body sent whole on a kept-alive connection leaves the connection usable for the next call
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(port + "/execute"))
                .header("X-Envgrid-Lease-Token", "made-up").timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"true\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(409, refused.statusCode(), refused.body());
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(port + "/execute"))
                .header("X-Envgrid-Lease-Token", GOOD).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
    }

    @Test
    void aBodyIsTransferEncodingOrANonZeroLength() {
        assertTrue(DesktopCallGate.carriesBody(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
                .add("Content-Length", "12")));
        assertTrue(DesktopCallGate.carriesBody(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
                .add("transfer-encoding", "chunked")));
        assertTrue(!DesktopCallGate.carriesBody(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
                .add("Content-Length", "0")));
        assertTrue(!DesktopCallGate.carriesBody(io.vertx.core.MultiMap.caseInsensitiveMultiMap()));
    }

    private static byte[] concat(byte[] head, String someBody) {
        byte[] body = someBody.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }
}

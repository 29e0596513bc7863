package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.HeldRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
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
 * The head check of a desktop's port ({@link DesktopCallGate} with a {@link DesktopHeadCheck}) and its refusal of
 * every request shape that could pass it as a tunnel (WebSocket and h2c upgrades, CONNECT, targets that are not a path),
 * on a port built as {@link DesktopPorts} builds it in front of a stand-in for the agent's port (which serves a
 * WebSocket, as the agent's {@code /ws}), with a check that admits one token only; no Quarkus. Also that a caller
 * that does not read its answers, pipelining or not, keeps no call place past the port's idle timeout. {@code DesktopPortRateLimitTest} shows the same against the real lease check and allocator.
 */
class DesktopCallGateTest {

    private static final int PLACES = 3;
    private static final String GOOD = "good-token";
    /** The length of the stand-in agent's answer on {@code /large}: more than every buffer between it and a caller. */
    private static final int LARGE = 32 * 1024 * 1024;
    /** The headers of a WebSocket handshake as a browser sends them. */
    private static final String WEB_SOCKET = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    private Vertx vertx;
    private HttpServer agent;
    private HttpServer desktop;
    private DesktopCallGate gate;
    private final AtomicInteger checks = new AtomicInteger();
    /** The head checks the gate said it is done with (its calls over). */
    private final List<String> forgotten = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Requests and WebSocket handshakes the stand-in agent received. */
    private final AtomicInteger reachedAgent = new AtomicInteger();
    private final List<HeldRequest> trickles = new ArrayList<>();

    @BeforeEach
    void port() throws Exception {
        vertx = Vertx.vertx();
        // the agent's port serves a WebSocket (/ws) as the real one does
        agent = vertx.createHttpServer()
                .webSocketHandler(socket -> reachedAgent.incrementAndGet())
                .requestHandler(request -> {
                    reachedAgent.incrementAndGet();
                    request.body().onSuccess(body -> request.response().end(request.path().equals("/large")
                            ? Buffer.buffer(new byte[LARGE])
                            // what the route would take as the port's head check
                            : request.path().equals("/head-check") ? Buffer.buffer(
                                    String.valueOf(request.getHeader(HeadChecks.HEADER)))
                            : Buffer.buffer("agent:" + body.length())));
                })
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        DesktopHeadCheck onlyGood = new DesktopHeadCheck() {
            @Override
            public Future<String> check(io.vertx.core.MultiMap headers) {
                int check = checks.incrementAndGet();
                return GOOD.equals(headers.get("X-Envgrid-Lease-Token")) ? Future.succeededFuture("check-" + check)
                        : Future.failedFuture(new ApiException(409, ErrorCode.LEASE_NOT_LIVE, "not live",
                                Map.of("resource_id", "desktop-0")));
            }

            @Override
            public void forget(String name) {
                forgotten.add(name);
            }
        };
        gate = new DesktopCallGate(new ObjectMapper(), "0", "mark", PLACES, onlyGood);
        desktop = desktopPort(Duration.ofSeconds(30));
    }

    /** A desktop's port as {@link DesktopPorts} builds it: its client's pool sized to the call places. */
    private HttpServer desktopPort(Duration idleTimeout) throws Exception {
        return DesktopPorts.desktopServer(vertx, vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                        .setMaxPoolSize(PLACES)), agent::actualPort, gate,
                        new DesktopPortConnections(vertx, "0", 100, idleTimeout))
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
        HttpResponse<String> held = execute(http, port, GOOD);
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
        HttpResponse<String> refused = execute(http, port, "made-up");
        assertEquals(409, refused.statusCode(), refused.body());
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(port + "/execute"))
                .header("X-Envgrid-Lease-Token", GOOD).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
    }

    @Test
    void upgradesAndOtherTunnellingShapesAreRefusedByTheGateAndNeverReachTheAgent() throws Exception {
        URI port = URI.create("http://127.0.0.1:" + desktop.actualPort());
        String host = "Host: 127.0.0.1:" + port.getPort() + "\r\n";
        List<String> shapes = List.of(
                "GET /ws HTTP/1.1\r\n" + host + WEB_SOCKET,
                "GET /screenshot HTTP/1.1\r\n" + host + WEB_SOCKET + "X-Envgrid-Lease-Token: " + GOOD + "\r\n",
                "GET /ws HTTP/1.1\r\n" + host + "Connection: keep-alive, upgrade\r\n",
                "GET /ws HTTP/1.1\r\n" + host + "Upgrade: websocket\r\n",
                "GET / HTTP/1.1\r\n" + host + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                        + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n",
                "CONNECT 127.0.0.1:22 HTTP/1.1\r\n" + host,
                "GET http://127.0.0.1:1/ws HTTP/1.1\r\n" + host,
                "OPTIONS * HTTP/1.1\r\n" + host);
        for (String shape : shapes) {
            try (HeldRequest request = HeldRequest.begin(port, (shape + "\r\n").getBytes(StandardCharsets.US_ASCII))) {
                String answer = request.answer(Duration.ofSeconds(5));
                assertTrue(answer.startsWith("HTTP/1.1 400"), shape + "\n=> " + answer);
                assertTrue(answer.contains("\"INVALID_PARAMETERS\""), answer);
            }
        }
        // HTTP/2 with prior knowledge: the port speaks no h2c, so Vert.x' HTTP/1 codec answers the preface (501, its
        // own empty answer) and closes the connection before any handler runs
        try (HeldRequest preface = HeldRequest.begin(port,
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII))) {
            assertTrue(preface.answer(Duration.ofSeconds(5)).startsWith("HTTP/2.0 501"));
            assertEquals("", preface.finish(new byte[0]), "closed");
        }
        assertEquals(0, reachedAgent.get(), "no refused shape was forwarded");
        assertEquals(0, checks.get(), "refused before the head check");
        assertEquals(0, gate.inFlight());

        // Expect: 100-continue is no way past the gate: its head is checked like any call with a body
        try (HeldRequest expecting = HeldRequest.begin(port, HeldRequest.head(port, "POST", "/execute",
                "application/json", 10, "X-Envgrid-Lease-Token: made-up", "Expect: 100-continue"))) {
            String answer = expecting.answer(Duration.ofSeconds(5));
            assertTrue(answer.startsWith("HTTP/1.1 409"), answer);
        }
        assertEquals(1, checks.get());
        assertEquals(0, reachedAgent.get());
    }

    @Test
    void theHoldersCallsAreServedWhileUpgradesAreAttempted() throws Exception {
        URI port = URI.create("http://127.0.0.1:" + desktop.actualPort());
        // more upgrades than the port's client has connections, each kept open: tunnelled, each would hold one for good
        for (int i = 0; i < PLACES * 2; i++) {
            HeldRequest upgrade = HeldRequest.begin(port, webSocketUpgrade(port, "/ws"));
            trickles.add(upgrade);
            String answer = upgrade.answer(Duration.ofSeconds(5));
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        }
        HttpClient holder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> served = execute(holder, port, GOOD);
        assertEquals(200, served.statusCode(), served.body());
        assertEquals(1, reachedAgent.get(), "only the holder's call reached the agent");
    }

    @Test
    void aRefusedUpgradeLeavesTheIdleClockRunning() throws Exception {
        URI port = URI.create("http://127.0.0.1:" + desktopPort(Duration.ofMillis(300)).actualPort());
        try (HeldRequest request = HeldRequest.begin(port, webSocketUpgrade(port, "/ws"))) {
            String answer = request.answer(Duration.ofSeconds(5));
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            // the port closes the connection once it was idle for 300 ms (read within answer's 5 s, else a timeout)
            assertEquals("", request.finish(new byte[0]));
        }
        assertEquals(0, reachedAgent.get());
    }

    @Test
    void nonReadingPipeliningCallersWithoutACredentialKeepNoPlaceAndTheHolderIsServed() throws Exception {
        URI port = URI.create("http://127.0.0.1:" + desktopPort(Duration.ofMillis(300)).actualPort());
        // as many callers as places, each pipelining credential-less GETs and reading no answer: the answers fill the
        // socket buffers, so one of them is never written out (before: it held its place, the idle clock stopped)
        List<Thread> nonReaders = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        AtomicInteger cutOff = new AtomicInteger();
        for (int i = 0; i < PLACES; i++) {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(1024);
            socket.connect(new InetSocketAddress("127.0.0.1", port.getPort()), 5000);
            sockets.add(socket);
            Thread writer = new Thread(() -> pipelineUntilCutOff(socket, port, cutOff), "non-reader-" + i);
            writer.setDaemon(true);
            writer.start();
            nonReaders.add(writer);
        }
        try {
            // the port closes each once its stuck answer was not written out within the idle timeout
            for (Thread writer : nonReaders) {
                writer.join(Duration.ofSeconds(30).toMillis());
                assertTrue(!writer.isAlive(), writer.getName() + " still connected; places held: " + gate.inFlight());
            }
            assertEquals(PLACES, cutOff.get(), "every non-reader was cut off by the port");
            Conditions.await(() -> gate.inFlight() == 0, "no place kept by a connection the port closed");
            HttpResponse<String> served = execute(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .build(), port, GOOD);
            assertEquals(200, served.statusCode(), served.body());
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void aCallerThatDoesNotReadItsAnswerLosesTheConnectionAndThePlaceAfterTheIdleTimeout() throws Exception {
        URI port = URI.create("http://127.0.0.1:" + desktopPort(Duration.ofMillis(300)).actualPort());
        // more times than the port's client has connections to the agent: each cut-off answer gives its one back too
        for (int i = 0; i <= PLACES; i++) {
            long received = takeNoAnswer(port);
            assertTrue(received < LARGE, "the port closed the connection before the answer was written out: "
                    + received);
        }
        HttpResponse<String> served = execute(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                port, GOOD);
        assertEquals(200, served.statusCode(), served.body());
    }

    /**
     * Asks for the {@link #LARGE} answer on a connection of its own, one request (not pipelined), and reads nothing
     * until the call's place was given back; then the bytes that had reached the connection before it was closed.
     */
    private long takeNoAnswer(URI port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(1024);
            socket.connect(new InetSocketAddress("127.0.0.1", port.getPort()), 5000);
            socket.getOutputStream().write(("GET /large HTTP/1.1\r\nHost: 127.0.0.1:" + port.getPort() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // the answer cannot be written out, so the call holds its place until the port acts
            Conditions.await(() -> gate.inFlight() == 1, "the call holds its place");
            Conditions.await(() -> gate.inFlight() == 0, "the place given back", Duration.ofSeconds(30));
            socket.setSoTimeout(10_000);
            long received = 0;
            try {
                InputStream in = socket.getInputStream();
                for (int read = in.read(new byte[65536]); read != -1; read = in.read(new byte[65536])) {
                    received += read;
                }
            } catch (SocketException reset) {
                // the port dropped what it had not written out: the connection is reset
            }
            return received;
        }
    }

    /** Writes {@code GET /screenshot} without a credential on {@code socket} until the port closes it; reads nothing. */
    private static void pipelineUntilCutOff(Socket socket, URI port, AtomicInteger cutOff) {
        byte[] request = ("GET /screenshot HTTP/1.1\r\nHost: 127.0.0.1:" + port.getPort() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try {
            OutputStream out = socket.getOutputStream();
            while (true) {
                out.write(request);
            }
        } catch (IOException closed) {
            cutOff.incrementAndGet();
        }
    }

    @Test
    void theAgentSeesTheHeadCheckOfThePortOnlyNeverTheCallersOwn() throws Exception {
        URI port = URI.create("http://127.0.0.1:" + desktop.actualPort());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String forged = "00112233445566778899aabbccddeeff";
        // a call with a body: the port's own check replaces the caller's
        HttpResponse<String> checked = http.send(HttpRequest.newBuilder(URI.create(port + "/head-check"))
                .header("X-Envgrid-Lease-Token", GOOD).header(HeadChecks.HEADER, forged)
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("check-" + checks.get(), checked.body());
        // the call is over: its check is dropped (a check stands for one call)
        Conditions.await(() -> forgotten.contains(checked.body()), "the check forgotten", Duration.ofSeconds(5));
        // a call without a body is not checked on its head: it reaches the agent with no check at all
        HttpResponse<String> unchecked = http.send(HttpRequest.newBuilder(URI.create(port + "/head-check"))
                .header("X-Envgrid-Lease-Token", GOOD).header(HeadChecks.HEADER, forged)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("null", unchecked.body());
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

    /** A WebSocket handshake on {@code path}; no {@code Connection: close}, so the connection is kept. */
    private static byte[] webSocketUpgrade(URI port, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port.getPort() + "\r\n" + WEB_SOCKET + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code POST /execute} with a JSON body (18 bytes) and {@code token} as the lease token. */
    private static HttpResponse<String> execute(HttpClient http, URI port, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(port + "/execute"))
                .header("X-Envgrid-Lease-Token", token).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"true\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] concat(byte[] head, String someBody) {
        byte[] body = someBody.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }
}

package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.envgrid.gateway.smcp.engineio.EngineIoServer;
import io.envgrid.gateway.smcp.engineio.EngineLimits;
import io.envgrid.gateway.smcp.socketio.ConnectRefusal;
import io.envgrid.gateway.smcp.socketio.NamespaceHandler;
import io.envgrid.gateway.smcp.socketio.NamespaceSocket;
import io.envgrid.gateway.smcp.socketio.SocketIoServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server ending a client's namespace ({@link NamespaceSocket#disconnect}) on a connection with two namespaces, over
 * polling on a real Vert.x server: Socket.IO ends that namespace only, the connection goes on serving the other; when
 * the server ends the last one, the DISCONNECT reaches the client, with the CLOSE packet after it, and the session is
 * gone, though the client never acted on the DISCONNECT; also when the client was upgrading to WebSocket then.
 */
class ServerDisconnectTest {

    private static final EngineLimits LIMITS = new EngineLimits(60_000, 60_000, 10_000, 20_000, 10, 10, 60_000);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Vertx vertx;
    private RawEngine client;
    private String url;
    private final Namespace a = new Namespace();

    /**
     * Admits every client; {@code leave} makes the server end the sender's namespace (and is then counted in
     * {@link #left}), {@code echo} is acked.
     */
    private static final class Namespace implements NamespaceHandler {
        final Semaphore left = new Semaphore(0);

        @Override
        public ConnectRefusal connect(NamespaceSocket socket, JsonNode auth, Map<String, String> handshakeQuery) {
            return null;
        }

        @Override
        public void onEvent(NamespaceSocket socket, String event, ArrayNode args, Long ackId) {
            if (event.equals("leave")) {
                socket.disconnect();
                left.release();
            } else if (ackId != null) {
                socket.ack(ackId);
            }
        }

        @Override
        public void onDisconnect(NamespaceSocket socket, String reason) {
        }
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        SocketIoServer socketIo = new SocketIoServer(JSON, vertx, 8);
        socketIo.namespace("/a", a);
        socketIo.namespace("/b", new Namespace());
        EngineIoServer engine = new EngineIoServer(vertx, LIMITS, request -> true, socketIo::accept);
        Router router = Router.router(vertx);
        engine.mount(router, "/socket.io/");
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1")).requestHandler(router)
                .listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        url = "http://127.0.0.1:" + server.actualPort();
        client = new RawEngine(url);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private List<String> poll(String sid) {
        RawEngine.Answer answer = client.poll(sid);
        assertEquals(200, answer.status(), answer.toString());
        return Arrays.asList(answer.body().split(String.valueOf(RawEngine.SEPARATOR)));
    }

    @Test
    void theConnectionOutlivesANamespaceTheServerEndsAndClosesAfterTheLastOnesDisconnect() {
        String sid = RawEngine.sid(client.handshake());
        client.post(sid, "40/a,\u001e40/b,");
        List<String> connected = poll(sid);
        assertTrue(connected.size() == 2 && connected.stream().allMatch(p -> p.startsWith("40/")), connected.toString());

        client.post(sid, "42/a,[\"leave\"]");
        assertEquals(List.of("41/a,"), poll(sid), "only /a ended; no CLOSE");
        client.post(sid, "42/b,7[\"echo\"]");
        assertEquals(List.of("43/b,7[]"), poll(sid), "/b still served on the same connection");

        client.post(sid, "42/b,[\"leave\"]");
        assertEquals(List.of("41/b,", "1"), poll(sid), "the DISCONNECT, then the CLOSE, in the one poll");
        assertEquals(400, client.poll(sid).status(), "the session is closed");
    }

    /**
     * The server ends the last namespace after the client's WebSocket probe was answered and before its UPGRADE: the
     * client has stopped polling, so the upgrade completes anyway and carries the DISCONNECT and the CLOSE.
     */
    @Test
    void aDisconnectDuringAnUpgradeReachesTheClientOnTheWebSocket() throws InterruptedException {
        String sid = RawEngine.sid(client.handshake());
        client.post(sid, "40/a,");
        assertTrue(poll(sid).get(0).startsWith("40/a,{"));
        try (RawWebSocket ws = RawWebSocket.upgrading(url, sid)) {
            ws.text("2probe");
            assertEquals("3probe", ws.next());

            client.post(sid, "42/a,[\"leave\"]");
            assertTrue(a.left.tryAcquire(10, TimeUnit.SECONDS), "the server ended /a");
            ws.text("5");

            assertEquals(List.of("41/a,", "1"), ws.receivedPongingUntilClosed(10_000), "the DISCONNECT, then the CLOSE");
            assertTrue(ws.closedWithin(0), "then the WebSocket closes");
        }
        assertEquals(400, client.poll(sid).status(), "the session is closed");
    }
}

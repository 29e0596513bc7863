package io.envgrid.gateway.smcp.engineio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The send bound of an {@link EngineSocket} whose client stops reading, on a real Vert.x server with small socket
 * buffers and a raw client: on polling the buffer is full at the first message past {@code maxSendBuffer}; on
 * WebSocket the write queue fills once the kernel's buffers are, and the connection is closed ("send buffer full")
 * instead of queueing more.
 */
class EngineSocketBoundsTest {

    private static final int MESSAGE = 5000;
    private static final EngineLimits LIMITS = new EngineLimits(60_000, 60_000, 1000, 2 * MESSAGE + MESSAGE / 2, 10, 10, 60_000);

    private Vertx vertx;
    private HttpServer server;
    private final CompletableFuture<EngineSocket> opened = new CompletableFuture<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        EngineIoServer engine = new EngineIoServer(vertx, LIMITS, request -> true, socket -> {
            EngineIoServer.listen(socket, new EngineSocket.Listener() {
                @Override
                public void onMessage(String data) {
                }

                @Override
                public void onClose(String reason) {
                    closed.complete(reason);
                }
            });
            opened.complete(socket);
        });
        Router router = Router.router(vertx);
        engine.mount(router, "/socket.io/");
        server = vertx.createHttpServer(new HttpServerOptions().setSendBufferSize(4096).setHost("127.0.0.1"))
                .requestHandler(router).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Opens a connection over a raw socket that reads nothing after the handshake's answer headers. */
    private Socket connect(String request) throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", server.actualPort()), 10_000);
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] first = new byte[12];
        assertEquals(12, in.readNBytes(first, 0, 12));
        return socket;
    }

    @Test
    void aPollingClientThatNeverPollsIsClosedWhenTheBufferIsFull() throws Exception {
        try (Socket client = connect("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n")) {
            EngineSocket socket = opened.get(10, TimeUnit.SECONDS);
            socket.sendMessage("x".repeat(MESSAGE));
            socket.sendMessage("x".repeat(MESSAGE));
            assertTrue(!closed.isDone(), "two messages fit");
            socket.sendMessage("x".repeat(MESSAGE));
            assertEquals("send buffer full", closed.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aWebSocketClientThatStopsReadingIsClosedWhenTheWriteQueueIsFull() throws Exception {
        String upgrade = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        try (Socket client = connect(upgrade)) {
            EngineSocket socket = opened.get(10, TimeUnit.SECONDS);
            int sent = 0;
            // an unbounded queue would take all 2,000 messages (10 MB) without complaint
            while (!closed.isDone() && sent < 2000) {
                CompletableFuture<Void> written = new CompletableFuture<>();
                vertx.runOnContext(v -> {
                    socket.sendMessage("x".repeat(MESSAGE));
                    written.complete(null);
                });
                written.get(10, TimeUnit.SECONDS);
                sent++;
            }
            assertEquals("send buffer full", closed.get(10, TimeUnit.SECONDS), "closed after " + sent + " messages");
            assertTrue(sent < 2000, "closed after " + sent + " messages");
        }
    }
}

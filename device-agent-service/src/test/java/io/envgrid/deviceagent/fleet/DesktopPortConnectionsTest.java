package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.support.Conditions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connections of a desktop's port (found by a review: no cap and no idle timeout, while a connection needs no
 * credential, so one client could hold thousands and take the agent's file descriptors). Two desktops' ports built as
 * {@link DesktopPorts} builds them, in front of a stand-in for the agent's own port; no Quarkus, so it runs in seconds.
 */
class DesktopPortConnectionsTest {

    private static final int MAX_CONNECTIONS = 20;
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(1500);
    /** Longer than the idle timeout: a call this slow must still be answered. */
    private static final long SLOW_CALL_MILLIS = 2500;

    private Vertx vertx;
    private HttpServer agent;
    private final List<HttpServer> desktops = new ArrayList<>();
    private final List<DesktopPortConnections> connections = new ArrayList<>();
    private final List<Socket> flood = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void ports() throws Exception {
        vertx = Vertx.vertx();
        agent = vertx.createHttpServer().requestHandler(request -> {
            if (request.path().equals("/slow")) {
                vertx.setTimer(SLOW_CALL_MILLIS, t -> request.response().end("slow"));
            } else {
                request.response().end("agent");
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 2; i++) {
            String name = Integer.toString(i);
            DesktopPortConnections bounded = new DesktopPortConnections(vertx, name, MAX_CONNECTIONS, IDLE_TIMEOUT);
            connections.add(bounded);
            desktops.add(DesktopPorts.desktopServer(vertx, vertx.createHttpClient(new HttpClientOptions()),
                    agent::actualPort, new DesktopCallGate(new ObjectMapper(), name, "mark", 32, DesktopHeadCheck.NONE), bounded)
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        }
    }

    @AfterEach
    void close() throws Exception {
        for (Socket socket : flood) {
            socket.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void idleAndSlowlorisConnectionsToOneDesktopAreCappedAndClosedWhileTheOthersAnswer() throws Exception {
        int port0 = desktops.get(0).actualPort();
        int extra = 10;
        for (int i = 0; i < MAX_CONNECTIONS + extra; i++) {
            Socket socket = new Socket("127.0.0.1", port0);
            if (i % 2 == 1) {
                // slowloris: a request head that never ends
                socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            flood.add(socket);
        }
        // the connections over the cap are closed at once (before: all 30 stayed open)
        Conditions.await(() -> closedCount() == extra, extra + " connections over the cap closed",
                Duration.ofSeconds(2));
        assertEquals(MAX_CONNECTIONS, connections.get(0).open());

        // another desktop's port and the agent's port answer promptly meanwhile
        assertEquals("agent", get(desktops.get(1).actualPort(), "/health"));
        assertEquals("agent", get(agent.actualPort(), "/health"));

        // a kept-alive connection that was answered is idle again from the end of its answer (joins the flood below)
        Socket answered = new Socket("127.0.0.1", desktops.get(1).actualPort());
        flood.add(answered);
        answered.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("HTTP/1.1 200", readAnswer(answered).substring(0, 12));

        // a call slower than the idle timeout is answered: the clock stops while a request is in flight
        var slow = http.sendAsync(request(desktops.get(1).actualPort(), "/slow", Duration.ofSeconds(10)),
                HttpResponse.BodyHandlers.ofString());

        // the admitted ones are closed after the idle timeout, also those trickling their head a byte at a time
        // (before: none was ever closed); the trickle is faster than the timeout, so Vert.x' own idle timeout, which any
        // traffic resets, would not close them
        // each poll trickles a byte on every other connection (a poll reads each socket for up to 10 ms, so the
        // trickle comes every few hundred ms, well inside the idle timeout)
        Conditions.await(() -> {
            for (int i = 1; i < flood.size(); i += 2) {
                trickle(flood.get(i));
            }
            return closedCount() == flood.size();
        }, "all " + flood.size() + " connections closed after the idle timeout", IDLE_TIMEOUT.multipliedBy(3));
        Conditions.await(() -> connections.get(0).open() == 0, "desktop 0 holds no connection");
        // desktop 1 holds the slow call's connection only (awaited: a client can see its connection's end a moment
        // before the port's close handler has counted it)
        Conditions.await(() -> connections.get(1).open() == 1, "desktop 1 holds the slow call's connection only");

        assertEquals("slow", slow.get(10, TimeUnit.SECONDS).body());
        // and desktop 0 serves again
        assertEquals("agent", get(port0, "/health"));
    }

    private String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(port, path, Duration.ofSeconds(2)),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static HttpRequest request(int port, String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout).build();
    }

    /** One whole answer, up to the stand-in's body: what is left unread would count as "not closed" below. */
    private static String readAnswer(Socket socket) throws IOException {
        socket.setSoTimeout(2000);
        StringBuilder answer = new StringBuilder();
        InputStream in = socket.getInputStream();
        while (!answer.toString().endsWith("\r\n\r\nagent")) {
            int next = in.read();
            if (next == -1) {
                throw new IOException("closed mid-answer: " + answer);
            }
            answer.append((char) next);
        }
        return answer.toString();
    }

    private static void trickle(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write('X');
            out.flush();
        } catch (IOException closedByTheServer) {
            // the point of the test: the server may have closed it
        }
    }

    /** The flood's connections the server has closed (a read ends at once, or the connection was reset). */
    private int closedCount() {
        int closed = 0;
        for (Socket socket : flood) {
            try {
                socket.setSoTimeout(10);
                InputStream in = socket.getInputStream();
                if (in.read() == -1) {
                    closed++;
                }
            } catch (SocketTimeoutException open) {
                // still open: nothing to read
            } catch (IOException reset) {
                closed++;
            }
        }
        return closed;
    }
}

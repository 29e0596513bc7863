package io.envgrid.gateway.smcp;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket-only Engine.IO connection (JDK WebSocket client) that sends raw frames, text or binary, and records the
 * text messages it receives and when the server closes it.
 */
final class RawWebSocket implements AutoCloseable {

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    /** When (System.nanoTime) each distinct text message was first received, and the connection closed. */
    private final Map<String, Long> firstReceived = new ConcurrentHashMap<>();
    private volatile long closedAt;
    private final WebSocket socket;

    private RawWebSocket(String url, String query) {
        URI uri = URI.create(url.replaceFirst("^http", "ws") + "/socket.io/?EIO=4&transport=websocket&" + query);
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            firstReceived.putIfAbsent(partial.toString(), System.nanoTime());
                            received.add(partial.toString());
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                        closedAt = System.nanoTime();
                        closed.complete("close " + status);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closedAt = System.nanoTime();
                        closed.complete("error " + error);
                    }
                }).join();
    }

    /** Opens the connection; the OPEN packet is read. */
    static RawWebSocket open(String url) {
        RawWebSocket ws = new RawWebSocket(url, "a2c_version=0.5.0");
        String open = ws.next();
        if (!open.startsWith("0{")) {
            throw new AssertionError("no OPEN packet: " + open);
        }
        return ws;
    }

    /** Opens a WebSocket asking to take over the polling connection {@code sid} (an upgrade); nothing is read. */
    static RawWebSocket upgrading(String url, String sid) {
        return new RawWebSocket(url, "sid=" + sid);
    }

    /** Opens the connection and connects it to {@code /smcp} with {@code token}. */
    static RawWebSocket connected(String url, String token) {
        RawWebSocket ws = open(url);
        ws.text("40/smcp,{\"token\":\"" + token + "\"}");
        String answer = ws.next();
        if (!answer.startsWith("40/smcp,{\"sid\"")) {
            throw new AssertionError("not connected to /smcp: " + answer);
        }
        return ws;
    }

    void text(String frame) {
        socket.sendText(frame, true).join();
    }

    void binary(byte[] frame) {
        socket.sendBinary(ByteBuffer.wrap(frame), true).join();
    }

    /** The next text message, waiting up to 10 s. */
    String next() {
        try {
            String message = received.poll(10, TimeUnit.SECONDS);
            if (message == null) {
                throw new AssertionError("no message within 10 s");
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The text messages received until the server closes the connection or {@code timeoutMs} pass, each ping
     * answered with a pong as a live client would.
     */
    List<String> receivedPongingUntilClosed(long timeoutMs) {
        List<String> messages = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try {
            while (System.nanoTime() < deadline) {
                String message = received.poll(50, TimeUnit.MILLISECONDS);
                if (message == null) {
                    if (closed.isDone()) {
                        break;
                    }
                    continue;
                }
                messages.add(message);
                if (message.equals("2") && !closed.isDone()) {
                    socket.sendText("3", true);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return messages;
    }

    /** True when the server closes the connection within {@code timeoutMs}. */
    boolean closedWithin(long timeoutMs) {
        try {
            closed.get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    /** Milliseconds from the first receipt of {@code message} to the server's close; fails unless both happened. */
    long closedMillisAfter(String message) {
        Long at = firstReceived.get(message);
        if (at == null || !closed.isDone()) {
            throw new AssertionError("not received " + message + " and then closed: " + firstReceived.keySet());
        }
        return TimeUnit.NANOSECONDS.toMillis(closedAt - at);
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.abort();
        }
    }
}

package io.envgrid.allocator.support;

import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 over a plain socket, for tests that need to control the connection itself: send a
 * request and close the socket without reading the answer (a client that goes away), or read the
 * server's metrics over a connection that is closed right after.
 */
public final class RawConnection implements AutoCloseable {

    private final Socket socket;

    private RawConnection(Socket socket) {
        this.socket = socket;
    }

    /** Opens a connection to the test server (the port RestAssured uses). */
    public static RawConnection open() {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", RestAssured.port), 5_000);
            socket.setSoTimeout(30_000);
            return new RawConnection(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a JSON POST on this connection and returns without reading anything. */
    public RawConnection sendJson(String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        try {
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A GET with "Connection: close", read to the end: the whole response as text. */
    public static String getAndClose(String path) {
        try (RawConnection http = open()) {
            String head = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
            http.socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            http.socket.getOutputStream().flush();
            InputStream in = http.socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's count of open HTTP connections, this measuring connection included. */
    public static long openConnections() {
        return getAndClose("/q/metrics").lines()
                .filter(l -> l.startsWith("http_server_active_connections "))
                .map(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no http_server_active_connections metric"));
    }

    /** Closes the TCP connection (FIN); the server sees the client go away. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

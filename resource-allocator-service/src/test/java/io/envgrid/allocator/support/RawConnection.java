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

    /**
     * Waits until the server handles no request but the one asking ({@code what} names the wait in its failure): the
     * request of a connection closed before its answer ends when the server sees the close, and a response can reach
     * its client a moment before the server counts its request ended, so tests that watch a request of their own
     * start from here too.
     */
    public static void awaitNoOtherRequest(String what) {
        Conditions.await(() -> !otherRequestInFlight(), what);
    }

    /**
     * True when the server is handling a request besides the one asking: a sent request has been dispatched, and
     * false again once it was answered or its client's close was seen (Vert.x then counts it reset). Unlike a count
     * of open connections, idle keep-alive connections that RestAssured leaves open, and that close whenever a
     * garbage collection finalizes their pool, do not move it.
     */
    public static boolean otherRequestInFlight() {
        return metric("http_server_active_requests") >= 2;
    }

    /** A gauge of the server's Prometheus output, summed over its tag sets; the scrape itself is counted in it. */
    private static long metric(String name) {
        return getAndClose("/q/metrics").lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1).trim()))
                .reduce(Long::sum).orElseThrow(() -> new AssertionError("no " + name + " metric"));
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

package io.envgrid.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Requests on a plain socket: one whose client goes away (the test closes the socket without
 * reading the answer, which is how a client timing out looks to the server), and bytes no HTTP
 * client would send (a malformed chunked body).
 */
public final class RawSocket {

    private RawSocket() {
    }

    /** Sends {@code POST path} with a JSON body to the server of {@code base}; the caller closes the socket. */
    public static Socket post(URL base, String path, Map<String, String> headers, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(base.getHost())
                .append(':').append(base.getPort()).append("\r\nContent-Type: application/json\r\nContent-Length: ")
                .append(bytes.length).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        Socket socket = new Socket(base.getHost(), base.getPort());
        OutputStream out = socket.getOutputStream();
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        out.write(bytes);
        out.flush();
        return socket;
    }

    /** Writes {@code request} as is to the server of {@code base}; the caller closes the socket. */
    public static Socket send(URL base, String request) throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return socket;
    }

    /**
     * What the server writes on {@code socket} until it closes the connection, {@code marker} has
     * arrived, or {@code within} has passed (then what came so far).
     */
    public static String read(Socket socket, String marker, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000)));
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                got.write(buffer, 0, n);
                if (marker != null && got.toString(StandardCharsets.UTF_8).contains(marker)) {
                    break;
                }
            } catch (SocketTimeoutException e) {
                // nothing yet: read again until the deadline
            } catch (IOException e) {
                break; // reset by the server: as closed
            }
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}

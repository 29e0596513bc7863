package io.envgrid.deviceagent.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 request sent in two parts over its own connection, with the test acting in between: a caller that
 * holds its request open (a slow network, or a hostile worker) while its lease ends. The answer is read once the rest
 * has been sent.
 */
public final class HeldRequest implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;

    private HeldRequest(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /** Opens a connection to {@code agent} and sends {@code head}: the request line, headers and part of the body. */
    public static HeldRequest begin(URI agent, byte[] head) throws IOException {
        Socket socket = new Socket(agent.getHost(), agent.getPort());
        socket.setSoTimeout(60_000);
        HeldRequest request = new HeldRequest(socket);
        request.out.write(head);
        request.out.flush();
        return request;
    }

    /** Sends the rest and reads the whole answer (the request asks for {@code Connection: close}). */
    public String finish(byte[] rest) throws IOException {
        out.write(rest);
        out.flush();
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** The request line and headers (ending with the blank line), with {@code Connection: close}. */
    public static byte[] head(URI agent, String method, String path, String contentType, int contentLength,
            String... headerLines) {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + agent.getHost() + ":"
                + agent.getPort() + "\r\nConnection: close\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (contentLength >= 0) {
            head.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

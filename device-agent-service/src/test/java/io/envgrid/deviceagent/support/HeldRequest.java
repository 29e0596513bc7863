package io.envgrid.deviceagent.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * The answer given before the rest was sent: its head and its body as far as its {@code Content-Length}, read
     * within {@code within} (a {@link java.net.SocketTimeoutException} when none comes).
     */
    public String answer(Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        int headEnd = -1;
        int length = 0;
        for (int next = in.read(); next != -1; next = in.read()) {
            answer.write(next);
            if (headEnd < 0) {
                String text = answer.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r\n\r\n")) {
                    headEnd = answer.size();
                    Matcher declared = CONTENT_LENGTH.matcher(text);
                    length = declared.find() ? Integer.parseInt(declared.group(1)) : 0;
                }
            }
            if (headEnd >= 0 && answer.size() >= headEnd + length) {
                break;
            }
        }
        return answer.toString(StandardCharsets.UTF_8);
    }

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)");

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

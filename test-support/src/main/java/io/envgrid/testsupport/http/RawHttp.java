package io.envgrid.testsupport.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, one request per connection ({@code Connection: close}), for what well-behaved clients
 * refuse to send: raw request targets ({@code %zz}, {@code %2F}, {@code ..}), header values with non-ASCII bytes,
 * bodies that are not UTF-8, a content type that does not match the body, a declared length without the body, a
 * chunked body cut off after a limit, a request head whose body is withheld until the server has had time to answer.
 *
 * <p>A server may answer (413) and close before the whole request is written; the answer is still read, which an
 * ordinary client (a broken pipe while writing) does not do.
 */
public final class RawHttp {

    private static final int READ_TIMEOUT_MS = 150_000;

    /**
     * One request as sent: method, raw request target (path and query), headers in order (duplicates allowed), body
     * bytes; a null body sends no {@code Content-Length}, any other one its length.
     */
    public record Request(String method, String target, List<Map.Entry<String, String>> headers, byte[] body) {

        /** A readable one-line description for failure reports (body cut at 300 characters). */
        public String describe() {
            String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
            return method + " " + target + " " + headers + " body(" + (body == null ? "none" : body.length + " bytes") + ")="
                    + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
        }
    }

    /** The answer: status, headers (lower-case names, last wins), body bytes. */
    public record Response(int status, Map<String, String> headers, byte[] bytes) {

        /** The body as UTF-8 text. */
        public String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /**
     * What a request whose body was withheld got: the {@code response}; whether it came {@code beforeBody} (within the
     * deadline, not a byte of the body sent) or only once the whole body had been sent after the deadline; and whether
     * the server {@code closed} the connection after answering (an end of stream or a reset within the deadline), so
     * that the caller could not go on streaming the body into it.
     */
    public record Withheld(Response response, boolean beforeBody, boolean closed) {

        /** The response's status. */
        public int status() {
            return response.status();
        }
    }

    private RawHttp() {
    }

    /**
     * Sends the head of {@code method target} to 127.0.0.1:{@code port} with {@code headers} and
     * {@code Content-Length: contentLength} on a keep-alive connection (no {@code Connection: close}), and withholds the
     * body: the answer that comes within {@code timeout} was given on the head alone. When none comes by then, the body
     * ({@code contentLength} bytes of {@code x}, rarely a valid one) is sent and the answer read after it. Then waits up
     * to {@code timeout} for the server to close the connection.
     *
     * @param timeout how long the head alone is given for an answer, and the server for its close after one; a
     *                refusal expected at once returns as soon as it arrives
     * @throws IOException when the connection fails or the server closes it without a status line
     */
    public static Withheld withheldBody(int port, String method, String target, Map<String, String> headers,
            long contentLength, Duration timeout) throws IOException {
        byte[] body = new byte[Math.toIntExact(contentLength)];
        Arrays.fill(body, (byte) 'x');
        return withheld(port, method, target, headers, "Content-Length: " + contentLength, body, timeout);
    }

    /**
     * {@link #withheldBody} for a chunked body ({@code Transfer-Encoding: chunked}, no length declared): not a chunk is
     * sent before the deadline, then one chunk of {@code x} and the last chunk.
     */
    public static Withheld withheldChunkedBody(int port, String method, String target, Map<String, String> headers,
            Duration timeout) throws IOException {
        return withheld(port, method, target, headers, "Transfer-Encoding: chunked",
                "1\r\nx\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), timeout);
    }

    private static Withheld withheld(int port, String method, String target, Map<String, String> headers, String framing,
            byte[] rest, Duration timeout) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            StringBuilder head = head(port, method, target, List.copyOf(headers.entrySet()), false);
            OutputStream out = socket.getOutputStream();
            out.write(head.append(framing).append("\r\n\r\n").toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            boolean beforeBody;
            try {
                in.mark(1);
                if (in.read() == -1) {
                    throw new IOException("the server closed the connection without an answer");
                }
                in.reset();
                beforeBody = true;
            } catch (SocketTimeoutException none) {
                beforeBody = false;
                socket.setSoTimeout(READ_TIMEOUT_MS);
                out.write(rest);
                out.flush();
            }
            Response response = read(in);
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            return new Withheld(response, beforeBody, closed(in));
        }
    }

    /** Whether the server ends the connection (end of stream, or a reset) before the socket's read timeout. */
    private static boolean closed(InputStream in) throws IOException {
        try {
            // a byte after the answer means the server goes on talking on this connection, which is no close
            return in.read() == -1;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    /**
     * Sends {@code method target} to 127.0.0.1:{@code port} with {@code contentType} (none when null), further
     * {@code headers} as they are, and {@code body} (see {@link Request}), and reads the whole answer.
     *
     * @throws IOException when the connection fails or the server closes it without a status line
     */
    public static Response send(int port, String method, String target, String contentType, Map<String, String> headers,
            byte[] body) throws IOException {
        List<Map.Entry<String, String>> all = new ArrayList<>();
        if (contentType != null) {
            all.add(Map.entry("Content-Type", contentType));
        }
        all.addAll(headers.entrySet());
        return send(port, new Request(method, target, all, body));
    }

    /** {@link #send(int, String, String, String, Map, byte[])} without further headers. */
    public static Response send(int port, String method, String target, String contentType, byte[] body) throws IOException {
        return send(port, method, target, contentType, Map.of(), body);
    }

    /**
     * Sends {@code request} to 127.0.0.1:{@code port} and reads the whole answer (after any 1xx).
     *
     * @throws IOException when the connection fails or the server closes it without a status line
     */
    public static Response send(int port, Request request) throws IOException {
        try (Socket socket = open(port)) {
            StringBuilder head = head(port, request.method(), request.target(), request.headers());
            if (request.body() != null) {
                head.append("Content-Length: ").append(request.body().length).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
                if (request.body() != null) {
                    out.write(request.body());
                }
                out.flush();
            } catch (IOException refusedEarly) {
                // the server answered (413) and closed before the whole request was written; read what it said
            }
            return read(socket.getInputStream());
        }
    }

    /**
     * Sends {@code bytes} to 127.0.0.1:{@code port} exactly as they are (a whole request, head and body, however
     * malformed) and reads the answer. A server may refuse the head and close before all of it is written; the answer
     * is still read.
     *
     * @throws IOException when the connection fails or the server closes it without a status line
     */
    public static Response sendBytes(int port, byte[] bytes) throws IOException {
        try (Socket socket = open(port)) {
            try {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
            } catch (IOException refusedEarly) {
                // answered and closed before the whole request was written; read what it said
            }
            return read(socket.getInputStream());
        }
    }

    /**
     * A POST whose body is one byte over {@code limit}: declared ({@code Content-Length}, no byte of it sent, as a
     * client waiting for an early answer would) or chunked (sent up to one byte past the limit, then the answer read).
     * Never more than the server reads, so its closing the connection cannot lose the answer to a reset.
     *
     * @param headers further headers (an {@code Authorization}, say), sent as they are
     */
    public static Response oversized(int port, String target, String contentType, Map<String, String> headers, long limit,
            boolean chunked) throws IOException {
        try (Socket socket = open(port)) {
            List<Map.Entry<String, String>> all = new ArrayList<>(List.of(Map.entry("Content-Type", contentType)));
            all.addAll(headers.entrySet());
            StringBuilder head = head(port, "POST", target, all)
                    .append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + (limit + 1) + "\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            if (chunked) {
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'x');
                for (long left = limit + 1; left > 0; left -= chunk.length) {
                    int size = (int) Math.min(chunk.length, left);
                    out.write((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk, 0, size);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private static Socket open(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return socket;
    }

    private static StringBuilder head(int port, String method, String target, List<Map.Entry<String, String>> headers) {
        return head(port, method, target, headers, true);
    }

    /** The request line, Host, {@code Connection: close} unless {@code close} is false, and {@code headers}. */
    private static StringBuilder head(int port, String method, String target, List<Map.Entry<String, String>> headers,
            boolean close) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n").append(close ? "Connection: close\r\n" : "");
        headers.forEach(header -> head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n"));
        return head;
    }

    private static Response read(InputStream raw) throws IOException {
        InputStream in = new BufferedInputStream(raw);
        String status;
        Map<String, String> headers;
        do {
            // a 100 Continue (the answer to "Expect: 100-continue") comes before the response itself
            status = line(in);
            // any version: a server may echo the one of a request that named an absurd version (HTTP/9.7)
            if (status == null || !status.matches("HTTP/\\d+\\.\\d+ \\d{3}( .*)?")) {
                throw new IOException("no status line, got " + status);
            }
            headers = new LinkedHashMap<>();
            for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                if (colon > 0) {
                    headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
                }
            }
        } while (status.split(" ")[1].startsWith("1"));
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                all.write(in.readNBytes(size));
                line(in);
            }
            body = all.toByteArray();
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = in.readAllBytes();
        }
        return new Response(Integer.parseInt(status.split(" ")[1]), headers, body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }
}

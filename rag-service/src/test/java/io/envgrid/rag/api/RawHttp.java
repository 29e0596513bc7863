package io.envgrid.rag.api;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, one request per connection, for requests an ordinary client will not send:
 * a request target exactly as given (raw, wrongly or doubly encoded), any bytes as the body, a declared
 * length without the body, a chunked body cut off after the limit.
 */
public final class RawHttp {

    /** A status, the headers (names in lower case) and the body as text. */
    public record Response(int status, Map<String, String> headers, String body) {
    }

    private RawHttp() {
    }

    public static Response send(int port, String method, String target, String contentType, byte[] body) throws IOException {
        return send(port, method, target, contentType, Map.of(), body);
    }

    /** @param headers further headers, sent as they are */
    public static Response send(int port, String method, String target, String contentType, Map<String, String> headers, byte[] body)
            throws IOException {
        try (Socket socket = open(port)) {
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n")
                    .append("Connection: close\r\n");
            if (contentType != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(socket.getInputStream());
        }
    }

    /**
     * A body one byte over {@code limit}: declared (Content-Length, no byte of it sent, as a client waiting
     * for an early answer would) or chunked (sent up to one byte past the limit, then the answer read). Never
     * more than the server reads, so closing the connection cannot lose the answer to a reset.
     */
    public static Response oversized(int port, String target, String contentType, long limit, boolean chunked) throws IOException {
        try (Socket socket = open(port)) {
            OutputStream out = socket.getOutputStream();
            String head = "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType + "\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + (limit + 1) + "\r\n") + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
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
        Socket socket = new Socket("localhost", port);
        socket.setSoTimeout(120_000);
        return socket;
    }

    private static Response read(InputStream raw) throws IOException {
        InputStream in = new BufferedInputStream(raw);
        String status;
        Map<String, String> headers;
        do {
            // A 100 Continue (the answer to "Expect: 100-continue") comes before the response itself.
            status = line(in);
            if (status == null || !status.startsWith("HTTP/1.1 ")) {
                throw new IOException("no HTTP response, got: " + status);
            }
            headers = new LinkedHashMap<>();
            for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
        } while (status.startsWith("HTTP/1.1 1"));
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                chunks.write(in.readNBytes(size));
                line(in);
            }
            body = chunks.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new Response(Integer.parseInt(status.substring(9, 12)), headers, new String(body, StandardCharsets.UTF_8));
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

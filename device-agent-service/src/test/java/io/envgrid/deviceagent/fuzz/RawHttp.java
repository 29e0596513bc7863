package io.envgrid.deviceagent.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, one connection per request, so that a fuzz request can carry what well-behaved
 * clients refuse to send: raw request targets ({@code %zz}, {@code %2F}, {@code ..}), header values with non-ASCII
 * bytes, bodies that are not UTF-8, a content type that does not match the body.
 */
final class RawHttp {

    /** One request as sent: method, raw request target (path and query), headers, body bytes (may be empty). */
    record Request(String method, String target, List<Map.Entry<String, String>> headers, byte[] body) {

        /** A readable one-line description for failure reports (body cut at 300 characters). */
        String describe() {
            String text = new String(body, StandardCharsets.UTF_8);
            return method + " " + target + " " + headers + " body(" + body.length + " bytes)="
                    + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
        }
    }

    /** The answer: status, headers (lower-case names, last wins), body bytes. */
    record Response(int status, Map<String, String> headers, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private RawHttp() {
    }

    /**
     * Sends {@code request} to 127.0.0.1:{@code port} with {@code Connection: close} and reads the whole answer.
     *
     * @throws IOException when the connection fails or the server closes it without a status line
     */
    static Response send(int port, Request request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(150_000);
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.write((request.method() + " " + request.target() + " HTTP/1.1\r\n").getBytes(StandardCharsets.UTF_8));
            head.write(("Host: 127.0.0.1:" + port + "\r\nConnection: close\r\n").getBytes(StandardCharsets.US_ASCII));
            for (Map.Entry<String, String> header : request.headers()) {
                head.write((header.getKey() + ": " + header.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            head.write(("Content-Length: " + request.body().length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            try {
                out.write(head.toByteArray());
                out.write(request.body());
                out.flush();
            } catch (IOException refusedEarly) {
                // the server may answer (413) and close before the whole request is written; read what it said
            }
            return read(socket.getInputStream());
        }
    }

    private static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("no status line, got " + statusLine);
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon > 0) {
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
        }
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
        return new Response(status, headers, body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}

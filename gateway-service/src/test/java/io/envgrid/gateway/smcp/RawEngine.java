package io.envgrid.gateway.smcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Engine.IO over raw HTTP/1.1, one connection per request ({@code Connection: close}), optionally from a chosen local
 * address ({@code 127.0.0.2}, …: the loopback net is one host, so a test can be several remote addresses). It sends
 * what an official client never would (oversized bodies, binary and malformed packets) and reads what comes back.
 */
final class RawEngine {

    static final char SEPARATOR = '\u001e';
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An HTTP answer. */
    record Answer(int status, String body) {
    }

    private final int port;
    private final String localAddress;
    private final String version;

    RawEngine(String url, String localAddress, String version) {
        this.port = URI.create(url).getPort();
        this.localAddress = localAddress;
        this.version = version;
    }

    RawEngine(String url) {
        this(url, null, "0.5.0");
    }

    String query(String sid) {
        return "/socket.io/?EIO=4&transport=polling&a2c_version=" + version + (sid == null ? "" : "&sid=" + sid);
    }

    /** A polling handshake. */
    Answer handshake() {
        return request("GET", query(null), null);
    }

    /** The sid of a successful handshake's OPEN packet. */
    static String sid(Answer open) {
        if (open.status() != 200 || !open.body().startsWith("0")) {
            throw new AssertionError("no OPEN packet: " + open);
        }
        try {
            return JSON.readTree(open.body().substring(1)).path("sid").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens a session and connects it to {@code /smcp} with {@code token}; answers the Engine.IO sid. */
    String connect(String token) {
        String sid = sid(handshake());
        post(sid, "40/smcp,{\"token\":\"" + token + "\"}");
        String answer = poll(sid).body();
        if (!answer.contains("40/smcp,{\"sid\"")) {
            throw new AssertionError("not connected to /smcp: " + answer);
        }
        return sid;
    }

    /** A WebSocket-only handshake request, for where it is refused (an admitted one would upgrade and never end). */
    Answer websocketHandshake() {
        return request("GET", "/socket.io/?EIO=4&transport=websocket&a2c_version=" + version, null,
                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n");
    }

    Answer poll(String sid) {
        return request("GET", query(sid), null);
    }

    Answer post(String sid, String payload) {
        return request("POST", query(sid), payload.getBytes(StandardCharsets.UTF_8));
    }

    /** One request on a fresh connection ({@code body} null: none); a server that answers before reading the body is fine. */
    Answer request(String method, String target, byte[] body) {
        return request(method, target, body, "Connection: close\r\n");
    }

    private Answer request(String method, String target, byte[] body, String headers) {
        try (Socket socket = new Socket()) {
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n").append(headers);
            if (body != null) {
                head.append("Content-Type: text/plain;charset=UTF-8\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            try {
                if (body != null) {
                    out.write(body);
                }
                out.flush();
            } catch (IOException e) {
                // the server may answer and close before reading an oversized body: its answer is still to be read
            }
            return parse(readAll(socket.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                all.write(chunk, 0, n);
            }
        } catch (IOException e) {
            if (all.size() == 0) {
                throw e;
            }
            // a reset after the answer (the server closed with our body unread): keep what came
        }
        return all.toByteArray();
    }

    private static Answer parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            throw new AssertionError("not an HTTP answer: " + text);
        }
        int status = Integer.parseInt(text.substring(9, 12));
        String headers = text.substring(0, end).toLowerCase();
        String body = text.substring(end + 4);
        if (headers.contains("transfer-encoding: chunked")) {
            body = unchunk(body);
        }
        return new Answer(status, body);
    }

    private static String unchunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int eol = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, eol).trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }
}

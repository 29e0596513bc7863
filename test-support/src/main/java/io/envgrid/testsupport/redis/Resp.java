package io.envgrid.testsupport.redis;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One Redis command over a fresh loopback socket (RESP2), for test code that polls servers which come and go
 * (a Vert.x client per poll would be heavy). Replies: {@code String} (simple and bulk), {@code Long}, {@code List}
 * (arrays), {@code null} (nil); an error reply throws {@link IllegalStateException}.
 */
public final class Resp {

    private static final int CONNECT_TIMEOUT_MS = 5000;
    private static final int READ_TIMEOUT_MS = 10_000; // an audit page of 2,000 stream entries on a loaded machine

    private Resp() {
    }

    /** Sends {@code command} to 127.0.0.1:{@code port} and reads its reply. @throws UncheckedIOException unreachable */
    public static Object call(int port, String... command) {
        return send(port, null, command);
    }

    /**
     * {@link #call(int, String...)} on a server that requires a password: {@code AUTH password} first, on the same
     * connection. @throws IllegalStateException also when the password is refused
     */
    public static Object callWithPassword(int port, String password, String... command) {
        return send(port, password, command);
    }

    private static Object send(int port, String password, String... command) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder();
            if (password != null) {
                append(request, "AUTH", password);
            }
            append(request, command);
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            if (password != null) {
                read(in);
            }
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("redis on " + port + ": " + e.getMessage(), e);
        }
    }

    private static void append(StringBuilder request, String... command) {
        request.append('*').append(command.length).append("\r\n");
        for (String part : command) {
            request.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
        }
    }

    private static Object read(DataInputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new IllegalStateException(line);
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    yield null;
                }
                byte[] bytes = new byte[length + 2];
                in.readFully(bytes);
                yield new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(line);
                List<Object> items = new ArrayList<>(Math.max(count, 0));
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                yield count < 0 ? null : items;
            }
            default -> throw new IOException("not a RESP reply: " + (char) type + line);
        };
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\r'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed mid-reply");
            }
            line.append((char) c);
        }
        in.read();
        return line.toString();
    }
}

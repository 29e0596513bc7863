package io.envgrid.allocator.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A RESP connection of its own to the test Redis ({@link RedisTestResource}), for what a pooled client cannot do:
 * send commands without waiting for their answers (a {@code MULTI}/{@code EXEC} that queues up behind a
 * {@code CLIENT PAUSE}, in order with the clients paused before it) and read a {@code MONITOR} feed as it comes.
 * Everything the server sends is collected, as text, by a reader thread.
 */
public final class RawRedis implements AutoCloseable {

    private final Socket socket;
    private final StringBuffer received = new StringBuffer();

    private RawRedis(Socket socket) {
        this.socket = socket;
        Thread reader = new Thread(this::read, "raw-redis-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects to the test Redis. */
    public static RawRedis open() {
        URI url = URI.create(RedisTestResource.url());
        return open(url.getHost(), url.getPort());
    }

    /** Connects to another Redis on this machine (e.g. a replica: its {@code MONITOR} shows what it applies). */
    public static RawRedis open(int port) {
        return open("127.0.0.1", port);
    }

    private static RawRedis open(String host, int port) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 5_000);
            return new RawRedis(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one command (a RESP array of bulk strings) and returns without reading its answer. */
    public RawRedis send(String... args) {
        StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            out.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        try {
            socket.getOutputStream().write(out.toString().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Everything the server sent so far (answers and, after {@code MONITOR}, the feed), as text. */
    public String received() {
        return received.toString();
    }

    private void read() {
        byte[] buffer = new byte[8192];
        try (InputStream in = socket.getInputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException closed) {
            // the test closed the connection
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

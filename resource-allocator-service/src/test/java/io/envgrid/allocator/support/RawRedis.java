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

    /**
     * Sends one command whose answer is a bulk string ({@code CLIENT LIST}, {@code GET}) and waits up to 10 s for the
     * whole of it; answers its text. Nothing else may be in flight on this connection. Over a connection of its own,
     * an observation made while a {@code CLIENT PAUSE} holds the pooled clients' connections is never queued behind
     * them (a pooled {@code CLIENT LIST} can wait on a connection the pause holds).
     */
    public String bulkReply(String... args) {
        int from = received.length();
        send(args);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String answer = received.substring(from);
            int header = answer.indexOf("\r\n");
            if (header > 0) {
                if (answer.charAt(0) != '$') {
                    throw new IllegalStateException("not a bulk string: " + answer);
                }
                byte[] bytes = answer.substring(header + 2).getBytes(StandardCharsets.UTF_8);
                int length = Integer.parseInt(answer.substring(1, header));
                if (bytes.length >= length + 2) {
                    return new String(bytes, 0, length, StandardCharsets.UTF_8);
                }
            }
            Thread.yield();
        }
        throw new IllegalStateException("no whole answer to " + String.join(" ", args) + " within 10 s");
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

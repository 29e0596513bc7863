package io.envgrid.testsupport.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on a free loopback port to one server ({@code host:port}), whose path can be cut and given back:
 * what one client (a service under test pointed at {@link #port()}) sees of a broken network, while other clients of
 * the same server still reach it directly. {@link #cut()} closes every forwarded connection (the client reads
 * end-of-stream, its commands in flight fail) and stops listening (new connections are refused);
 * {@link #restore()} listens again on the same port. Bytes are copied as they come, two threads a connection.
 */
public final class TcpProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private int port;
    private ServerSocket listener;

    private TcpProxy(InetSocketAddress target) {
        this.target = target;
    }

    /**
     * Starts forwarding to {@code host:port}.
     *
     * @throws UncheckedIOException when no loopback port can be listened on
     */
    public static TcpProxy to(String host, int port) {
        TcpProxy proxy = new TcpProxy(new InetSocketAddress(host, port));
        proxy.listen(0);
        return proxy;
    }

    /** The loopback port clients connect to (the same after a {@link #restore()}). */
    public int port() {
        return port;
    }

    /** Whether it forwards now (false between {@link #cut()} and {@link #restore()}). */
    public synchronized boolean isOpen() {
        return listener != null;
    }

    /** Closes every forwarded connection and refuses new ones until {@link #restore()}; idempotent. */
    public synchronized void cut() {
        if (listener != null) {
            closeQuietly(listener);
            listener = null;
        }
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
    }

    /**
     * Forwards again, on the same port; idempotent.
     *
     * @throws UncheckedIOException when the port cannot be listened on again
     */
    public synchronized void restore() {
        if (listener == null) {
            listen(port);
        }
    }

    @Override
    public void close() {
        cut();
    }

    private synchronized void listen(int onPort) {
        try {
            ServerSocket server = new ServerSocket();
            // the port's forwarded connections closed by cut() linger in TIME_WAIT; they must not keep it from a restore
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
            listener = server;
            port = server.getLocalPort();
            Thread acceptor = new Thread(() -> accept(server), "tcp-proxy-accept-" + port);
            acceptor.setDaemon(true);
            acceptor.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on loopback port " + onPort, e);
        }
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return; // cut()
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            synchronized (this) {
                // a cut() between accept and here: this pair is not forwarded either
                if (listener != server) {
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                }
            }
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    /** Copies {@code from} to {@code to} until either ends, then closes both. */
    private void pump(Socket from, Socket to) {
        Thread copier = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ended) {
                // either side closed: the pair ends below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-" + port);
        copier.setDaemon(true);
        copier.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed, or closing failed: nothing flows through it either way
        }
    }
}

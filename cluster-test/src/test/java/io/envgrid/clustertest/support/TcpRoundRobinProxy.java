package io.envgrid.clustertest.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A layer-4 load balancer in front of a service's replicas, as a Kubernetes Service (kube-proxy) is one: each
 * accepted TCP connection goes to the next backend in turn, bytes are piped both ways, no affinity. A backend that
 * refuses the connection (its process is dead) is skipped for the next, as an endpoint that failed its readiness
 * probe leaves a Service; a connection already piped to a backend that dies is cut, and the client sees that.
 * Two threads per connection: the test's few dozen clients keep their connections alive.
 */
public final class TcpRoundRobinProxy implements AutoCloseable {

    private final String name;
    private final List<Integer> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLongArray connections;
    private final ServerSocket server;

    /** Listens on {@code port} (0: any free one) and forwards to the loopback {@code backendPorts}. */
    public TcpRoundRobinProxy(String name, int port, List<Integer> backendPorts) {
        this.name = name;
        this.backends = List.copyOf(backendPorts);
        this.connections = new AtomicLongArray(backends.size());
        try {
            server = new ServerSocket(port, 512, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Connections sent to each backend so far. */
    public long connections(int backend) {
        return connections.get(backend);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread handler = new Thread(() -> forward(client), name + "-conn");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                // closed: the loop ends
            }
        }
    }

    private void forward(Socket client) {
        int first = Math.floorMod(next.getAndIncrement(), backends.size());
        for (int i = 0; i < backends.size(); i++) {
            int backend = (first + i) % backends.size();
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), backends.get(backend)), 2000);
            } catch (IOException refused) {
                closeQuietly(upstream);
                continue;
            }
            connections.incrementAndGet(backend);
            Thread back = new Thread(() -> pipe(upstream, client), name + "-back");
            back.setDaemon(true);
            back.start();
            pipe(client, upstream);
            return;
        }
        closeQuietly(client);
    }

    /** Copies until either side ends, then closes both (the other direction's pipe then ends too). */
    private static void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away; both are closed below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
    }
}

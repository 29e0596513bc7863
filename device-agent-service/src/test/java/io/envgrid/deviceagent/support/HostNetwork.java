package io.envgrid.deviceagent.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The host's own network as the tests see it: its primary IPv4 address, and a TCP server on every address of it. */
public final class HostNetwork {

    private HostNetwork() {
    }

    /**
     * The IPv4 address of the interface that carries the host's default route ({@code /proc/net/route}, destination
     * {@code 00000000}): the address the host's neighbours reach it on. Nothing is sent.
     *
     * @throws IllegalStateException when the host has no default route or its interface no IPv4 address
     */
    public static String primaryIpv4() {
        try {
            List<String> routes = Files.readAllLines(Path.of("/proc/net/route"));
            for (String line : routes.subList(1, routes.size())) {
                String[] fields = line.strip().split("\\s+");
                if (fields.length > 2 && fields[1].equals("00000000")) {
                    NetworkInterface device = NetworkInterface.getByName(fields[0]);
                    InetAddress address = device == null ? null : device.inetAddresses()
                            .filter(a -> a instanceof Inet4Address).findFirst().orElse(null);
                    if (address != null) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no default route with an IPv4 address on this host");
    }

    /**
     * A Python program that connects to {@code address:port} (5 s at most) and prints what it got: the server's first
     * bytes, {@code errno:<n>} (13 EACCES: a prohibit route; 111 ECONNREFUSED; 101 ENETUNREACH) or {@code timeout}.
     */
    public static String probe(String address, int port) {
        return """
                import socket
                s = socket.socket()
                s.settimeout(5)
                try:
                    s.connect((%s, %d))
                    print(s.recv(16).decode() or "connected")
                except socket.timeout:
                    print("timeout")
                except OSError as e:
                    print("errno:%%d" %% e.errno)
                """.formatted("'" + address + "'", port);
    }

    /**
     * The IPv4 nameservers of the host's {@code /etc/resolv.conf}, in its order; none when it cannot be read.
     */
    public static List<String> nameservers() {
        try {
            return Files.readAllLines(Path.of("/etc/resolv.conf")).stream().map(line -> line.strip().split("\\s+"))
                    .filter(words -> words.length >= 2 && words[0].equals("nameserver")
                            && words[1].matches("\\d{1,3}(\\.\\d{1,3}){3}"))
                    .map(words -> words[1]).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * A Python program that sends one DNS query (UDP, {@code A example.com}) to {@code address:53} and prints
     * {@code rcode:<n>} for an answer to it (whatever its code: NXDOMAIN is an answer), {@code errno:<n>} or
     * {@code timeout} (5 s).
     */
    public static String dnsProbe(String address) {
        return """
                import socket, struct
                query = struct.pack(">HHHHHH", 0x4567, 0x0100, 1, 0, 0, 0)
                query += b"\\x07example\\x03com\\x00" + struct.pack(">HH", 1, 1)
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(5)
                try:
                    s.sendto(query, (%s, 53))
                    while True:
                        data, _ = s.recvfrom(512)
                        if data[:2] == query[:2]:
                            print("rcode:%%d" %% (data[3] & 15))
                            break
                except socket.timeout:
                    print("timeout")
                except OSError as e:
                    print("errno:%%d" %% e.errno)
                """.formatted("'" + address + "'");
    }

    /**
     * A TCP server on {@code 0.0.0.0} (so on the host's loopback and its primary address alike) answering "hello" to
     * every connection and counting them; close it to stop.
     */
    public static final class HelloServer implements AutoCloseable {
        private final ServerSocket server;
        private final AtomicInteger accepted = new AtomicInteger();

        public HelloServer() throws IOException {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress("0.0.0.0", 0));
            Thread thread = new Thread(this::serve, "hello-server");
            thread.setDaemon(true);
            thread.start();
        }

        public int port() {
            return server.getLocalPort();
        }

        /** Connections accepted so far, from anywhere. */
        public int accepted() {
            return accepted.get();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket client = server.accept(); OutputStream out = client.getOutputStream()) {
                    accepted.incrementAndGet();
                    out.write("hello".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed, or the client went first
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}

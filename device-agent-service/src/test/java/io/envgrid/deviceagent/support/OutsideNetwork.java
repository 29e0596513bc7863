package io.envgrid.deviceagent.support;

import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * "The internet" for the outbound desktops' tests: a network namespace of its own joined to the host by a veth pair,
 * the host's end {@link #HOST_END} and the far end {@link #ADDRESS} (TEST-NET-2, RFC 5737: in none of the ranges an
 * outbound desktop is refused, and not an address of the host, which it is refused too), with a TCP server on
 * {@link #ADDRESS}:{@link #PORT} answering "outside". A desktop that reaches it went out through its route like to any
 * other host. Needs root; close it to remove the namespace (and with it the pair and the server's socket).
 */
public final class OutsideNetwork implements AutoCloseable {

    public static final String ADDRESS = "198.51.100.2";
    public static final String HOST_END = "198.51.100.1";
    public static final int PORT = 8080;

    private final String name;
    private final Process server;

    /** Makes the namespace, the pair and the server, and returns once the server listens. */
    public OutsideNetwork() throws IOException {
        long pid = ProcessHandle.current().pid();
        name = "envgrid-outside-" + pid;
        String hostSide = "eoh" + pid;
        ip("netns", "add", name);
        try {
            ip("link", "add", hostSide, "type", "veth", "peer", "name", "eoo" + pid, "netns", name);
            ip("addr", "add", HOST_END + "/24", "dev", hostSide);
            ip("link", "set", hostSide, "up");
            ip("-n", name, "addr", "add", ADDRESS + "/24", "dev", "eoo" + pid);
            ip("-n", name, "link", "set", "eoo" + pid, "up");
            ip("-n", name, "link", "set", "lo", "up");
            server = new ProcessBuilder("nsenter", "--net=/run/netns/" + name, "--", "python3", "-c", """
                    import socket
                    s = socket.socket()
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("%s", %d))
                    s.listen()
                    print("listening", flush=True)
                    while True:
                        c, _ = s.accept()
                        c.sendall(b"outside")
                        c.close()
                    """.formatted(ADDRESS, PORT)).redirectErrorStream(true).start();
            String said = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (!"listening".equals(said)) {
                throw new IOException("the outside server did not start: " + said);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.destroyForcibly();
        }
        // deleting the namespace deletes its end of the pair, and with it the host's
        HostProcesses.run(List.of("ip", "netns", "delete", name), null, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                Duration.ofSeconds(10));
    }

    private static void ip(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(arguments));
        ProcessOutcome outcome = HostProcesses.run(command, null, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                Duration.ofSeconds(10));
        if (!outcome.succeeded()) {
            throw new IllegalStateException(String.join(" ", command) + ": " + outcome.stderr());
        }
    }
}

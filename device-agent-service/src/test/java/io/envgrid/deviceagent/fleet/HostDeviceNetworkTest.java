package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.HostDeviceLeases;
import io.envgrid.deviceagent.support.MarkedProcesses;
import io.envgrid.deviceagent.support.WithAllocator;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The host device's commands run in a network namespace of its own ({@code linux-host.network}, by default
 * {@code private} for a root agent), as a hosted desktop's do: they reach no listener on the host's loopback (one this
 * test opens, the agent's own port), an abstract socket name they bind (an X server's) is not bound in the host's
 * namespace, where the test's own process can still take it, and every reset makes the namespace anew, killing what
 * still ran in the old one whatever its uid. Before, the commands ran in the agent's namespace: they connected to the
 * test's listener, took the X name from the host, and kept one namespace across leases.
 */
@QuarkusTest
@WithAllocator
class HostDeviceNetworkTest {

    @BeforeEach
    void rootAgent() throws IOException {
        assumeTrue(AgentPrivileges.isRoot(), "the host device has a uid and a namespace of its own only with a root agent");
        HostDeviceLeases.awaitFree();
    }

    @Test
    void itsCommandsReachNoListenerOnTheHostsLoopback() throws Exception {
        String token = HostDeviceLeases.token("worker-probing-loopback");
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> accept(listener), "test-listener");
            acceptor.setDaemon(true);
            acceptor.start();
            String answer = HostDeviceLeases.execute(token, "python3 -c '" + PROBE + "' " + listener.getLocalPort() + " "
                    + RestAssured.port).getString("output").strip();
            // its own loopback works; the test's listener and the agent's port (both the host's) are out of reach
            assertEquals("own:connected " + listener.getLocalPort() + ":refused " + RestAssured.port + ":refused", answer);
        } finally {
            HostDeviceLeases.release("worker-probing-loopback");
        }
    }

    @Test
    void anAbstractNameItBindsIsNotBoundInTheHostsNamespace() throws Exception {
        String marker = MarkedProcesses.newMarker("hostnetns");
        // a display number nobody on this host uses: the name an X server of the host would need
        String name = "/tmp/.X11-unix/X" + ThreadLocalRandom.current().nextInt(3000, 9000);
        String token = HostDeviceLeases.token("worker-squatting-name");
        try {
            HostDeviceLeases.execute(token, "nohup python3 -c 'import socket, time\ns = socket.socket(socket.AF_UNIX)\n"
                    + "s.bind(\"\\0" + name + "\")\ns.listen()\nopen(\"bound\", \"w\").write(\"yes\")\ntime.sleep(600)\n' "
                    + marker + " >/dev/null 2>&1 </dev/null &");
            Conditions.await(() -> HostDeviceLeases.execute(token, "cat bound 2>/dev/null || true").getString("output")
                    .equals("yes"), "the device's command bound @" + name);
            // the device's own commands see the name bound (its namespace) …
            assertEquals("1", HostDeviceLeases.execute(token, "grep -c ' @" + name + "$' /proc/net/unix")
                    .getString("output").strip());
            // … the host's namespace does not, and a process of the host takes the name itself
            assertFalse(Files.readAllLines(Path.of("/proc/self/net/unix")).stream().anyMatch(l -> l.endsWith(" @" + name)),
                    "@" + name + " bound in the host's network namespace");
            ProcessOutcome own = HostProcesses.run(List.of("python3", "-c", "import socket\ns = socket.socket("
                    + "socket.AF_UNIX)\ns.bind(\"\\0" + name + "\")\nprint(\"bound\")"), null, Map.of("PATH",
                            "/usr/bin:/bin"), Duration.ofSeconds(10));
            assertEquals("bound", own.stdoutText().strip(), "the host cannot bind @" + name + ": " + own.stderr());
        } finally {
            HostDeviceLeases.release("worker-squatting-name");
            MarkedProcesses.kill(marker);
        }
    }

    @Test
    void aResetMakesItsNamespaceAnewAndEndsWhatRanInTheOldOne() throws Exception {
        String marker = MarkedProcesses.newMarker("hostnetns");
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        Process rootInside = null;
        try {
            String tokenA = HostDeviceLeases.token("worker-a-namespace");
            String before = namespace(tokenA);
            assertNotEquals(host, before, "the host device's command in the host's network namespace");
            HostDeviceLeases.execute(tokenA, "nohup sh -c 'while :; do sleep 1; done # " + marker + "' >/dev/null 2>&1 </dev/null &");
            Conditions.await(() -> MarkedProcesses.find(marker).isPresent(), "A's background process started");
            // a process of another uid (root's) in A's namespace: only the namespace's renewal ends it
            rootInside = new ProcessBuilder("nsenter", "--net=/proc/" + MarkedProcesses.find(marker).orElseThrow().pid() + "/ns/net",
                    "sleep", "600").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long rootPid = rootInside.pid();
            Conditions.await(() -> before.equals(namespaceOf(rootPid)), "root's process in A's namespace");
            String tokenB;
            String after;
            // A's namespace held open until compared: once freed, its inode number is free for the next namespace
            try (FileChannel held = FileChannel.open(Path.of("/proc", Long.toString(rootPid), "ns", "net"))) {
                HostDeviceLeases.release("worker-a-namespace");
                tokenB = HostDeviceLeases.token("worker-b-namespace"); // granted once the reset is done
                after = namespace(tokenB);
            }
            assertNotEquals(before, after, "the reset kept the former holder's network namespace");
            assertNotEquals(host, after, "after the reset the host device's command in the host's network namespace");
            Process inside = rootInside;
            Conditions.await(() -> !inside.isAlive(), "root's process in the old namespace killed", Duration.ofSeconds(5));
            assertEquals("ok\n", HostDeviceLeases.execute(tokenB, "echo ok").getString("output"));
            HostDeviceLeases.release("worker-b-namespace");
        } finally {
            if (rootInside != null) {
                rootInside.destroyForcibly();
            }
            MarkedProcesses.kill(marker);
        }
    }

    /**
     * Python, run with a port of the test's listener and the agent's port: connects to each on 127.0.0.1, after one
     * listener of its own there; prints {@code own:<outcome> <port>:<outcome> …}.
     */
    private static final String PROBE = """
            import socket, sys
            def probe(port):
                s = socket.socket()
                s.settimeout(5)
                try:
                    s.connect(("127.0.0.1", port))
                    return "connected"
                except OSError:
                    return "refused"
            own = socket.socket()
            own.bind(("127.0.0.1", 0))
            own.listen()
            print("own:" + probe(own.getsockname()[1]), *(p + ":" + probe(int(p)) for p in sys.argv[1:]))
            """;

    private static String namespace(String token) {
        return HostDeviceLeases.execute(token, "readlink /proc/self/ns/net").getString("output").strip();
    }

    private static String namespaceOf(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString();
        } catch (IOException e) {
            return "(gone)";
        }
    }

    private static void accept(ServerSocket listener) {
        try {
            while (true) {
                listener.accept().close();
            }
        } catch (IOException e) {
            if (!listener.isClosed()) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

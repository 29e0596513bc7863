package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetDesktops;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Each hosted desktop's programs run in a network namespace of its own ({@code desktops.network=private}, the
 * default): what one desktop's worker listens on — a TCP port on 127.0.0.1, an abstract unix socket name — is reached
 * by its own commands only, not by the other desktop's, nor by the host; the other desktop's worker reaches neither
 * the host's loopback (the agent's ports) nor the X socket names the first one squats, whose X server starts as
 * before. The agent still drives both desktops (screenshots, commands) over the X server's path socket.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
class DesktopNetworkIsolationTest {

    /** The abstract X socket names the squatter binds: {@code @/tmp/.X11-unix/X0} … {@code X<SQUATTED - 1>}. */
    private static final int SQUATTED = 200;

    @Test
    void aDesktopsLoopbackListenerAndAbstractSocketAreItsOwn() throws Exception {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the desktops' network namespaces are made by the agent as root");
        FleetLeases.awaitAllFree();
        Lease a = FleetLeases.allocate("worker-listening");
        Lease b = FleetLeases.allocate("worker-probing");
        int port = PackagedApp.freePort();
        String name = "envgrid-netns-test-" + UUID.randomUUID();
        try {
            a.call().contentType(ContentType.JSON).body(Map.of("command", List.of("python3", "-c", listener(port, name))))
                    .post("/setup/launch").then().statusCode(200);
            Conditions.await(() -> probe(a, port, name).equals("tcp:hello unix:hello"), "A's listeners answering A");
            assertEquals("tcp:refused unix:refused", probe(b, port, name),
                    "B's commands reached A's listener on 127.0.0.1:" + port + " or its abstract socket @" + name);
            assertTrue(refused(port), "the host reached A's listener on 127.0.0.1:" + port);
            // nor does B reach the host's loopback: the agent's desktop ports listen there
            assertEquals("tcp:refused unix:refused", probe(b, FleetDesktops.port(0), name),
                    "B's commands reached the agent's port " + FleetDesktops.port(0) + " on 127.0.0.1");
            String namespaceA = FleetLeases.output(a.shell("readlink /proc/self/ns/net")).strip();
            String namespaceB = FleetLeases.output(b.shell("readlink /proc/self/ns/net")).strip();
            assertNotEquals(namespaceA, namespaceB, "both desktops' commands in one network namespace");
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(), namespaceA,
                    "A's commands in the host's network namespace");
            drivesBoth(a, b);
            reachesItsDisplay(a);
            reachesItsDisplay(b);
        } finally {
            FleetLeases.release(a);
            FleetLeases.release(b);
        }
    }

    @Test
    void xSocketNamesOneDesktopSquatsStopNoOtherDisplay() {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the desktops' network namespaces are made by the agent as root");
        FleetLeases.awaitAllFree();
        Lease squatter = FleetLeases.allocate("worker-squatting");
        Lease other = FleetLeases.allocate("worker-resetting");
        try {
            squatter.call().contentType(ContentType.JSON).body(Map.of("command", List.of("python3", "-c", SQUAT)))
                    .post("/setup/launch").then().statusCode(200);
            Conditions.await(() -> squatter.shell("cat ~/squatted").then().extract().path("returncode").equals(0),
                    "the squatter's names bound");
            // the names are visible in the squatter's namespace, not in the other desktop's
            assertEquals("tcp:refused unix:hello", probe(squatter, 1, "/tmp/.X11-unix/X" + (SQUATTED - 1)));
            assertEquals("tcp:refused unix:refused", probe(other, 1, "/tmp/.X11-unix/X" + (SQUATTED - 1)),
                    "the other desktop's commands see the abstract names the squatter bound");
            FleetLeases.release(other);
            String resetting = other.resourceId();
            Conditions.await(() -> "free".equals(FleetLeases.state(resetting)), resetting + " reset and free",
                    Duration.ofSeconds(60));
            other = FleetLeases.allocate("worker-after-reset");
            // its new X server took the lowest number free on the host, as if nobody squatted: the squatter's names
            // are not the host's (before: each of them was skipped, the display numbered SQUATTED or more)
            int display = Integer.parseInt(FleetLeases.output(other.shell("echo \"${DISPLAY#:}\"")).strip());
            assertTrue(display < SQUATTED, "the reset desktop's display :" + display + " skipped the squatted names");
            drivesBoth(squatter, other);
            // (the squatter's own X clients would find its names first: its own desktop, nobody else's)
            reachesItsDisplay(other);
        } finally {
            FleetLeases.release(squatter);
            FleetLeases.release(other);
        }
    }

    /** The agent acts on both desktops: screenshots (its own X connection) and commands (in each namespace). */
    private static void drivesBoth(Lease a, Lease b) {
        for (Lease lease : List.of(a, b)) {
            byte[] png = lease.call().get("/screenshot").then().statusCode(200).extract().asByteArray();
            assertEquals((byte) 0x89, png[0], "a PNG from " + lease.resourceId());
            assertEquals("ok", FleetLeases.output(lease.shell("echo ok")).strip(), lease.resourceId() + " runs a command");
        }
    }

    /** A worker's X client in the desktop's namespace reaches the display (over its path socket). */
    private static void reachesItsDisplay(Lease lease) {
        assertEquals("ok", FleetLeases.output(lease.shell("timeout 10 xdpyinfo >/dev/null && echo ok")).strip(),
                lease.resourceId() + "'s worker reaches its display");
    }

    /** Serves "hello" on 127.0.0.1:{@code port} and the abstract unix socket {@code @name}, forever. */
    private static String listener(int port, String name) {
        return """
                import socket, threading
                def serve(server):
                    while True:
                        client, _ = server.accept()
                        client.sendall(b"hello")
                        client.close()
                tcp = socket.socket()
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                tcp.bind(("127.0.0.1", %d))
                tcp.listen()
                unix = socket.socket(socket.AF_UNIX)
                unix.bind("\\0%s")
                unix.listen()
                threading.Thread(target=serve, args=(unix,), daemon=True).start()
                serve(tcp)
                """.formatted(port, name);
    }

    /**
     * Binds (and accepts on) every abstract X socket name up to {@link #SQUATTED} it can, as a hostile tenant would to
     * keep other desktops' X servers from starting, then writes {@code ~/squatted}.
     */
    private static final String SQUAT = """
            import os, socket, threading
            held = []
            for n in range(%d):
                s = socket.socket(socket.AF_UNIX)
                try:
                    s.bind("\\0/tmp/.X11-unix/X%%d" %% n)
                    s.listen()
                    held.append(s)
                except OSError:
                    s.close()
            open(os.path.expanduser("~/squatted"), "w").write(str(len(held)))
            def serve(server):
                while True:
                    client, _ = server.accept()
                    client.sendall(b"hello")
                    client.close()
            threading.Thread(target=serve, args=(held[-1],), daemon=True).start()
            threading.Event().wait()
            """.formatted(SQUATTED);

    /** What a command of {@code lease}'s desktop gets from 127.0.0.1:{@code port} and from {@code @name}. */
    private static String probe(Lease lease, int port, String name) {
        String code = """
                import socket
                def probe(family, address):
                    s = socket.socket(family)
                    s.settimeout(5)
                    try:
                        s.connect(address)
                    except OSError:
                        return "refused"
                    try:
                        return s.recv(16).decode() or "connected"
                    except OSError:
                        return "connected"
                print("tcp:" + probe(socket.AF_INET, ("127.0.0.1", %d)), "unix:" + probe(socket.AF_UNIX, "\\0%s"))
                """.formatted(port, name);
        return FleetLeases.output(lease.call().contentType(ContentType.JSON)
                .body(Map.of("command", List.of("python3", "-c", code))).post("/execute")).strip();
    }

    /** Whether a connection from the host (the test's, the agent's namespace) to 127.0.0.1:{@code port} is refused. */
    private static boolean refused(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}

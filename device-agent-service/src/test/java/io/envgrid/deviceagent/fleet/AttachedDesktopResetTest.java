package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.deviceagent.support.MarkedProcesses;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.quarkus.test.junit.QuarkusTest;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The attached desktop ({@code desktops.count} 0, the host's display the agent is given) is reset between leases as
 * the host device is (issue 11 item 2, issue 13 item 3): registered {@code with reset}, so the allocator holds it
 * {@code resetting} after a lease until the agent has killed every process of the exec user, deleted its files in the
 * shared temporary directories and made its network namespace anew; its commands run in that namespace, not the
 * host's. Before the change it was registered without reset: the release left it {@code free} at once, a former
 * holder's background program and {@code /tmp} files were still there for the next holder, and its commands reached
 * every listener on the host's loopback, the agent's port among them.
 */
@QuarkusTest
@WithAllocator
class AttachedDesktopResetTest {

    private static final String DESKTOP = RealAllocator.AGENT_ID + ":desktop";

    @Test
    void aFormerHoldersBackgroundProgramAndFilesAreGoneWhenTheNextLeaseStarts() throws Exception {
        assumeRootAgent();
        awaitFree();
        String marker = MarkedProcesses.newMarker("attachedreset");
        Path tmpFile = Path.of("/tmp", marker + "-a");
        Path varTmpFile = Path.of("/var/tmp", marker + "-a");
        try {
            Lease a = FleetLeases.allocate("worker-attached-a");
            assertEquals(DESKTOP, a.resourceId());
            FleetLeases.output(a.shell("echo A > " + tmpFile + "; echo A > " + varTmpFile + "; nohup sh -c 'while :; "
                    + "do sleep 0.2; done # " + marker + "' >/dev/null 2>&1 </dev/null &"));
            Conditions.await(() -> MarkedProcesses.running(marker), "A's background program started");
            // in A's own /tmp and /var/tmp (its disk's, in its mount namespace), not the host's
            assertEquals("A\nA\n", FleetLeases.output(a.shell("cat " + tmpFile + " " + varTmpFile)), "A's files written");
            Boolean reset = FleetLeases.allocator().get(RealAllocator.resourcePath(DESKTOP)).then().statusCode(200)
                    .extract().path("reset");
            assertEquals(Boolean.TRUE, reset, "registered with reset");

            FleetLeases.release(a);
            // the reset needs at least a round of the reset loop (1 s) and a new namespace: not done this early
            assertEquals("resetting", FleetLeases.state(DESKTOP), "held resetting after the lease");

            Lease b = FleetLeases.allocate("worker-attached-b");
            try {
                assertFalse(MarkedProcesses.running(marker), "A's background program outlived A's lease");
                assertFalse(Files.exists(tmpFile), "A's file in /tmp outlived A's lease");
                assertFalse(Files.exists(varTmpFile), "A's file in /var/tmp outlived A's lease");
                assertEquals("absent\nabsent\n", FleetLeases.output(b.shell("for f in " + tmpFile + " " + varTmpFile
                        + "; do [ -e $f ] && echo present || echo absent; done")));
            } finally {
                FleetLeases.release(b);
            }
        } finally {
            MarkedProcesses.kill(marker);
            Files.deleteIfExists(tmpFile);
            Files.deleteIfExists(varTmpFile);
        }
    }

    /**
     * A holder's commands run in a network namespace of the attached desktop's own: they reach a listener of their
     * own on {@code 127.0.0.1}, but neither one the test (the host) opens there nor the agent's port; and the next
     * holder's namespace is a new one (the old one held open by the test, so its inode cannot be reused).
     */
    @Test
    void itsCommandsRunInANamespaceOfTheirOwnRenewedForTheNextHolder() throws Exception {
        assumeRootAgent();
        awaitFree();
        String marker = MarkedProcesses.newMarker("attachednet");
        String hostNamespace = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        try (ServerSocket hostListener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Lease a = FleetLeases.allocate("worker-attached-net-a");
            String probe = "for port in " + a.port() + " " + hostListener.getLocalPort() + "; do if python3 -c 'import "
                    + "socket,sys; socket.create_connection((\"127.0.0.1\", int(sys.argv[1])), 3)' $port 2>/dev/null; "
                    + "then echo reached; else echo refused; fi; done; python3 -c 'import socket; s = socket.socket(); "
                    + "s.bind((\"127.0.0.1\", 0)); s.listen(); socket.create_connection(s.getsockname(), 3); "
                    + "print(\"own\")'; readlink /proc/self/ns/net";
            List<String> seen = FleetLeases.output(a.shell(probe)).lines().toList();
            assertEquals(List.of("refused", "refused", "own"), seen.subList(0, 3),
                    "the agent's port " + a.port() + ", the host's listener, its own listener: " + seen);
            String first = seen.get(3);
            assertNotEquals(hostNamespace, first, "A's command ran in the host's network namespace");

            FleetLeases.output(a.shell("nohup sh -c 'while :; do sleep 1; done # " + marker
                    + "' >/dev/null 2>&1 </dev/null &"));
            Conditions.await(() -> MarkedProcesses.running(marker), "A's background program started");
            long pid = MarkedProcesses.find(marker).orElseThrow().pid();
            try (FileInputStream heldOpen = new FileInputStream("/proc/" + pid + "/ns/net")) {
                assertEquals(first, Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString());
                FleetLeases.release(a);
                Lease b = FleetLeases.allocate("worker-attached-net-b");
                try {
                    String second = FleetLeases.output(b.shell("readlink /proc/self/ns/net")).strip();
                    assertNotEquals(first, second, "the next holder got the former holder's namespace");
                    assertNotEquals(hostNamespace, second, "B's command ran in the host's network namespace");
                    assertFalse(MarkedProcesses.running(marker), "A's program outlived A's lease");
                } finally {
                    FleetLeases.release(b);
                }
            }
        } finally {
            MarkedProcesses.kill(marker);
            // a failed assertion must not leave the desktop leased for the other test (released already: a 4xx)
            FleetLeases.allocator().contentType(io.restassured.http.ContentType.JSON).body(java.util.Map.of(
                    "worker_id", "worker-attached-net-a", "resource_id", DESKTOP)).post("/release");
        }
    }

    /** Reset between leases (a user switch to the exec user) only by a root agent. */
    private static void assumeRootAgent() {
        assumeTrue(AgentPrivileges.isRoot(), "the attached desktop is reset between leases only by a root agent");
    }

    private static void awaitFree() {
        Conditions.await(() -> "free".equals(FleetLeases.state(DESKTOP)), DESKTOP + " free", Duration.ofSeconds(30));
    }
}

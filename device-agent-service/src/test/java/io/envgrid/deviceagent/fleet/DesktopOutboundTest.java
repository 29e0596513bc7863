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
import io.envgrid.deviceagent.support.HostNetwork;
import io.envgrid.deviceagent.support.OutsideNetwork;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code desktops.network=outbound}: a desktop's worker, in its own namespace, reaches a server outside through
 * slirp4netns (one in a network namespace of its own behind a veth, {@link OutsideNetwork}, standing in for the
 * internet: an address outside the blocked ranges that is not the host's), but not a server of the host itself, neither
 * on its primary address (every {@code 0.0.0.0} listener of the host is there) nor on its loopback (as
 * {@code 127.0.0.1}, its own, or through slirp4netns' gateway {@code 10.0.2.2}), nor a private address the operator did
 * not allow; its commands resolve through slirp4netns' forwarder; after a reset the former namespace's slirp4netns is
 * gone and the new namespace has its own route out.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
@TestProfile(DesktopOutboundTest.Outbound.class)
class DesktopOutboundTest {

    /** Outbound desktops, nothing allowed beyond the default. */
    public static class Outbound implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.device-agent.desktops.network", "outbound");
        }
    }

    @Test
    void aWorkerReachesTheOutsideButNotTheHostItselfNorABlockedRange() throws Exception {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the agent runs slirp4netns for the desktops' namespaces");
        FleetLeases.awaitAllFree();
        Lease worker = FleetLeases.allocate("worker-outbound");
        String host = HostNetwork.primaryIpv4();
        try (OutsideNetwork outside = new OutsideNetwork(); HostNetwork.HelloServer server = new HostNetwork.HelloServer()) {
            assertEquals("outside", probe(worker, OutsideNetwork.ADDRESS, OutsideNetwork.PORT),
                    "the worker reaches a host outside through its route out");
            assertEquals("errno:13", probe(worker, host, server.port()), "the host's own address " + host);
            assertEquals("errno:111", probe(worker, "127.0.0.1", server.port()), "127.0.0.1 is the desktop's own");
            String viaGateway = probe(worker, DesktopRouteOut.GATEWAY, server.port());
            assertNotEquals("hello", viaGateway, "the worker reached the host's 127.0.0.1 through slirp4netns' gateway");
            assertTrue(viaGateway.startsWith("errno:"), viaGateway);
            assertEquals(0, server.accepted(), "a worker's connection reached the host's server");
            String resolvConf = FleetLeases.output(worker.shell("cat /etc/resolv.conf"));
            assertEquals(List.of("nameserver " + DesktopRouteOut.NAMESERVER), resolvConf.lines()
                    .filter(line -> line.startsWith("nameserver")).toList(), "the worker's resolv.conf: " + resolvConf);
        } finally {
            FleetLeases.release(worker);
        }
        Lease again = FleetLeases.allocate("worker-outbound-blocked");
        try {
            assertEquals("errno:13", probe(again, "10.255.255.1", 80), "a private address the operator did not allow");
        } finally {
            FleetLeases.release(again);
        }
    }

    @Test
    void aResetEndsTheOldSlirp4netnsAndTheNewNamespaceHasARouteOut() throws Exception {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the agent runs slirp4netns for the desktops' namespaces");
        FleetLeases.awaitAllFree();
        Lease first = FleetLeases.allocate("worker-before-reset");
        ProcessHandle slirp;
        Path file;
        Instant started;
        try (OutsideNetwork outside = new OutsideNetwork()) {
            assertEquals("outside", probe(first, OutsideNetwork.ADDRESS, OutsideNetwork.PORT));
            String namespace = FleetLeases.output(first.shell("readlink /proc/self/ns/net")).strip();
            slirp = slirpFor(namespace).orElseThrow(() -> new AssertionError("no slirp4netns for " + namespace));
            file = namespaceFile(slirp).orElseThrow();
            started = slirp.info().startInstant().orElseThrow();
        } finally {
            FleetLeases.release(first);
        }
        String resetting = first.resourceId();
        Conditions.await(() -> "free".equals(FleetLeases.state(resetting)), resetting + " reset and free",
                Duration.ofSeconds(60));
        assertFalse(slirp.isAlive(), "the former namespace's slirp4netns " + slirp.pid() + " runs on");
        // (not the namespace's inode: the kernel may give the new namespace the number of the one just freed)
        String renewed = "net:[" + Files.getAttribute(file, "unix:ino") + "]";
        ProcessHandle next = slirpFor(renewed).orElseThrow(() -> new AssertionError("no slirp4netns for " + renewed));
        assertNotEquals(slirp.pid(), next.pid());
        assertTrue(next.info().startInstant().orElseThrow().isAfter(started),
                "the namespace's slirp4netns is not a new one");

        // the renewed desktop (the one whose namespace is now that one) reaches the host again
        Lease a = FleetLeases.allocate("worker-after-reset-a");
        Lease b = FleetLeases.allocate("worker-after-reset-b");
        try (OutsideNetwork outside = new OutsideNetwork()) {
            Lease renewedOne = a.resourceId().equals(resetting) ? a : b;
            assertEquals(renewed, FleetLeases.output(renewedOne.shell("readlink /proc/self/ns/net")).strip());
            assertEquals("outside", probe(renewedOne, OutsideNetwork.ADDRESS, OutsideNetwork.PORT),
                    "no route out after the reset");
        } finally {
            FleetLeases.release(a);
            FleetLeases.release(b);
        }
    }

    /** What a command of {@code lease}'s desktop gets from {@code address:port}. */
    private static String probe(Lease lease, String address, int port) {
        return FleetLeases.output(lease.call().contentType(ContentType.JSON)
                .body(Map.of("command", List.of("python3", "-c", HostNetwork.probe(address, port))))
                .post("/execute")).strip();
    }

    /** The slirp4netns whose namespace file is the namespace {@code link} ({@code net:[<inode>]}). */
    private static Optional<ProcessHandle> slirpFor(String link) {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> namespaceFile(p).map(f -> {
                try {
                    return link.equals("net:[" + Files.getAttribute(f, "unix:ino") + "]");
                } catch (IOException e) {
                    return false;
                }
            }).orElse(false)).findFirst();
        }
    }

    /** The {@code /run/netns} file a slirp4netns process was started for; empty for any other process. */
    private static Optional<Path> namespaceFile(ProcessHandle process) {
        try {
            String[] words = new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")),
                    StandardCharsets.UTF_8).split("\0");
            if (words.length == 0 || !words[0].endsWith("slirp4netns")) {
                return Optional.empty();
            }
            return Stream.of(words).filter(w -> w.startsWith(DesktopNetwork.NAMESPACES + "/")).findFirst().map(Path::of);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

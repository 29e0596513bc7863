package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.HostNetwork;
import io.envgrid.deviceagent.support.OutsideNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DesktopRouteOut} on this host (as root, with slirp4netns): a desktop's namespace gets a route out that
 * reaches a host outside ({@link OutsideNetwork}), not the host's loopback nor its own addresses (unless allowed), and
 * refuses the blocked ranges at once, the host's nameservers in them included; names resolve through slirp4netns'
 * forwarder, the only nameserver of the desktop's own resolv.conf; slirp4netns holds
 * nothing but pipes, sockets and the tap device; stopping and a start after a renewal leave one slirp4netns, for the
 * new namespace; an agent's start kills the slirp4netns a former run of it left and no other agent's. Also measures
 * what the route out adds to a renewal of the namespace (printed).
 */
class DesktopRouteOutTest {

    private final String prefix = DesktopNetwork.prefixOf("route-out-test/" + ProcessHandle.current().pid());
    private final String otherPrefix = DesktopNetwork.prefixOf("another-agent-out/" + ProcessHandle.current().pid());
    private final List<DesktopRouteOut> started = new ArrayList<>();

    @BeforeEach
    void rootAndSlirp() {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: network namespaces and slirp4netns are run by root");
    }

    @AfterEach
    void cleanUp() {
        started.forEach(DesktopRouteOut::stop);
        DesktopRouteOut.stopLeftovers(prefix);
        DesktopRouteOut.stopLeftovers(otherPrefix);
        DesktopNetwork.removeLeftovers(prefix);
        DesktopNetwork.removeLeftovers(otherPrefix);
    }

    @Test
    void theRouteOutReachesTheOutsideButNotTheHostItselfNorItsNameserversNorTheBlockedRanges() throws Exception {
        String host = HostNetwork.primaryIpv4();
        DesktopNetwork network = DesktopNetwork.outbound(prefix, 0);
        network.renew();
        DesktopRouteOut out = routeOut(0, List.of());
        try (OutsideNetwork outside = new OutsideNetwork(); HostNetwork.HelloServer server = new HostNetwork.HelloServer()) {
            out.start();
            assertEquals("outside", probe(network, OutsideNetwork.ADDRESS, OutsideNetwork.PORT),
                    "a host outside (in a namespace of its own, through a veth) through the route out");
            // the host's own addresses: every 0.0.0.0 listener of the host (the agent's port, other desktops') is there
            assertEquals("errno:13", probe(network, host, server.port()), "the host's primary address " + host);
            assertEquals("errno:13", probe(network, OutsideNetwork.HOST_END, server.port()), "the host's veth address");
            assertEquals("errno:111", probe(network, "127.0.0.1", server.port()), "the namespace's own loopback");
            assertTrue(List.of("errno:111", "errno:101", "errno:113").contains(probe(network,
                    DesktopRouteOut.GATEWAY, server.port())), "the host's loopback through slirp4netns' gateway");
            assertEquals(0, server.accepted(), "a connection reached the test's server on the host");
        }
        assertEquals("errno:13", probe(network, "10.255.255.1", 80), "a private address is refused by its prohibit route");
        assertEquals("errno:13", probe(network, "169.254.169.254", 80), "a link-local address (cloud metadata)");
        String routes = run(network, List.of("ip", "-4", "route")).stdoutText();
        assertTrue(routes.contains("default via " + DesktopRouteOut.GATEWAY + " dev tap0"), routes);
        // no nameserver of the host is opened by a route: on GCE it is the metadata server 169.254.169.254, with
        // NodeLocal DNSCache the node itself; here 10.255.255.53 (in 10.0.0.0/8)
        for (String nameserver : HostNetwork.nameservers()) {
            assertFalse(routes.contains(nameserver + " via"), "a route opens nameserver " + nameserver + ": " + routes);
            if (DesktopRouteOut.BLOCKED.stream().anyMatch(range -> DesktopRouteOut.covers(range, nameserver))) {
                assertEquals("errno:13", probe(network, nameserver, 80), "the host's nameserver on another port");
                assertEquals("errno:13", dnsProbe(network, nameserver), "the host's nameserver, even on port 53");
            }
        }
        // names resolve through slirp4netns' forwarder, which the desktop's own resolv.conf names, and only it
        String resolvConf = run(network, List.of("cat", "/etc/resolv.conf")).stdoutText();
        assertEquals(List.of("nameserver " + DesktopRouteOut.NAMESERVER), resolvConf.lines()
                .filter(line -> line.startsWith("nameserver")).toList(), resolvConf);
        assertFalse(Files.readString(Path.of("/etc/resolv.conf")).contains(DesktopRouteOut.NAMESERVER),
                "the desktop's resolv.conf is seen outside its commands");
        if (!HostNetwork.nameservers().isEmpty() && hostResolves(HostNetwork.nameservers().get(0))) {
            assertTrue(dnsProbe(network, DesktopRouteOut.NAMESERVER).startsWith("rcode:"),
                    "no DNS answer through " + DesktopRouteOut.NAMESERVER);
            assertTrue(List.of("errno:101", "errno:111", "errno:113", "timeout").contains(probe(network,
                    DesktopRouteOut.NAMESERVER, 80)), "slirp4netns' forwarder forwards another port than 53");
        }

        ProcessHandle slirp = out.process().orElseThrow();
        for (Path fd : Files.list(Path.of("/proc", Long.toString(slirp.pid()), "fd")).toList()) {
            String target = Files.readSymbolicLink(fd).toString();
            assertTrue(target.startsWith("pipe:") || target.startsWith("socket:") || target.startsWith("anon_inode:")
                    || target.equals("/dev/net/tun") || target.equals("/dev/null"), "slirp4netns holds " + target);
        }
        assertFalse(slirp.info().arguments().map(List::of).orElse(List.of()).stream()
                .anyMatch(a -> a.startsWith("--api-socket") || a.equals("-a")), "slirp4netns with an API socket");
    }

    @Test
    void anAllowedRangeHoldingAHostAddressKeepsItReachable() throws Exception {
        String host = HostNetwork.primaryIpv4();
        DesktopNetwork network = DesktopNetwork.outbound(prefix, 4);
        network.renew();
        DesktopRouteOut out = routeOut(4, List.of(host + "/32"));
        out.start();
        try (HostNetwork.HelloServer server = new HostNetwork.HelloServer()) {
            assertEquals("hello", probe(network, host, server.port()), "the host's address the operator allowed");
        }
        assertTrue(DesktopRouteOut.covers("192.0.2.0/24", "192.0.2.77"));
        assertFalse(DesktopRouteOut.covers("192.0.2.0/25", "192.0.2.128"));
        assertTrue(DesktopRouteOut.covers("0.0.0.0/0", "203.0.113.9"));
    }

    @Test
    void aStartAfterARenewalLeavesOneSlirpForTheNewNamespaceAndStopEndsIt() throws Exception {
        DesktopNetwork network = DesktopNetwork.own(prefix, 1);
        network.renew();
        DesktopRouteOut out = routeOut(1, List.of());
        out.start();
        ProcessHandle first = out.process().orElseThrow();
        out.stop();
        network.renew();
        out.start();
        ProcessHandle second = out.process().orElseThrow();
        assertFalse(first.isAlive(), "the old namespace's slirp4netns runs on");
        assertNotEquals(first.pid(), second.pid());
        assertTrue(run(network, List.of("ip", "-4", "route")).stdoutText().contains("default via"), "a route out again");
        out.stop();
        Conditions.await(() -> !second.isAlive(), "slirp4netns stopped", Duration.ofSeconds(5));
        assertTrue(out.process().isEmpty());
    }

    @Test
    void leftoversOfThisAgentAreKilledAndAnotherAgentsKept() throws Exception {
        DesktopNetwork mine = DesktopNetwork.own(prefix, 2);
        DesktopNetwork others = DesktopNetwork.own(otherPrefix, 2);
        mine.renew();
        others.renew();
        DesktopRouteOut left = routeOut(2, List.of());
        DesktopRouteOut kept = new DesktopRouteOut(otherPrefix + 2, List.of());
        started.add(kept);
        left.start();
        kept.start();
        ProcessHandle leftover = left.process().orElseThrow();

        DesktopRouteOut.stopLeftovers(prefix);

        Conditions.await(() -> !leftover.isAlive(), "the leftover slirp4netns killed", Duration.ofSeconds(5));
        assertTrue(kept.process().isPresent(), "another agent's slirp4netns killed");
    }

    @Test
    void anAllowedRangeMustBeAnIpv4Range() {
        assertEquals(List.of("10.1.0.0/16", "192.0.2.7/32"),
                DesktopRouteOut.checkedRanges(List.of(" 10.1.0.0/16", "192.0.2.7/32")));
        for (String bad : List.of("10.1.0.0", "10.1.0.0/33", "300.1.0.0/8", "fd00::/8", "example.org/24")) {
            assertThrows(IllegalStateException.class, () -> DesktopRouteOut.checkedRanges(List.of(bad)), bad);
        }
    }

    /** What the route out adds to a renewal: 10 renewals without, 10 with, in this run (printed, not asserted). */
    @Test
    void costOfTheRouteOutInARenewal() throws Exception {
        DesktopNetwork network = DesktopNetwork.own(prefix, 3);
        DesktopRouteOut out = routeOut(3, List.of());
        network.renew();
        long without = 0;
        long with = 0;
        int rounds = 10;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            network.renew();
            long t1 = System.nanoTime();
            out.stop();
            network.renew();
            out.start();
            long t2 = System.nanoTime();
            without += t1 - t0;
            with += t2 - t1;
        }
        System.out.printf("desktop network renewal: private %.1f ms, outbound %.1f ms (mean of %d)%n",
                without / 1e6 / rounds, with / 1e6 / rounds, rounds);
        assertTrue(out.process().isPresent());
    }

    private DesktopRouteOut routeOut(int index, List<String> allowed) {
        DesktopRouteOut out = new DesktopRouteOut(prefix + index, allowed);
        started.add(out);
        return out;
    }

    /** What a connection from inside {@code network}, as an unprivileged uid, to {@code address:port} gets. */
    private static String probe(DesktopNetwork network, String address, int port) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "python3", "-c", HostNetwork.probe(address, port)));
        ProcessOutcome outcome = run(network, command);
        assertTrue(outcome.succeeded(), outcome.stderr());
        return outcome.stdoutText().strip();
    }

    /** What a DNS query from inside {@code network}, as an unprivileged uid, to {@code address:53} gets. */
    private static String dnsProbe(DesktopNetwork network, String address) {
        ProcessOutcome outcome = run(network, List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "python3", "-c", HostNetwork.dnsProbe(address)));
        assertTrue(outcome.succeeded(), outcome.stderr());
        return outcome.stdoutText().strip();
    }

    /** Whether the host's nameserver answers the host's DNS query (so that one through slirp4netns can be expected). */
    private static boolean hostResolves(String nameserver) {
        ProcessOutcome outcome = HostProcesses.run(List.of("python3", "-c", HostNetwork.dnsProbe(nameserver)), null,
                Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), Duration.ofSeconds(20));
        return outcome.stdoutText().strip().startsWith("rcode:");
    }

    private static ProcessOutcome run(DesktopNetwork network, List<String> command) {
        List<String> entered = new ArrayList<>(network.enterPrefix());
        entered.addAll(network.resolverPrefix());
        entered.addAll(command);
        return HostProcesses.run(entered, null, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), Duration.ofSeconds(20));
    }
}

package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.process.ProcessOutcome;
import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DesktopNetwork} on this host's kernel (as root): a desktop's namespace has only {@code lo}, up; a renewal kills
 * what ran in the old namespace and makes a new one; an agent's start removes the namespaces a former run of its
 * desktops left (its own prefix) and no other agent's, nor its host device's (which {@link HostDevice} may have made
 * anew already).
 */
class DesktopNetworkTest {

    /** This test run's own agent id, so parallel runs never remove each other's namespaces. */
    private final String prefix = DesktopNetwork.prefixOf("network-test/" + ProcessHandle.current().pid());
    private final String otherPrefix = DesktopNetwork.prefixOf("another-agent/" + ProcessHandle.current().pid());
    private final NamespacedProcesses processes = new NamespacedProcesses();

    @BeforeEach
    void root() {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: network namespaces are made by root");
    }

    @AfterEach
    void cleanUp() {
        processes.close();
        DesktopNetwork.removeLeftovers(prefix);
        DesktopNetwork.removeLeftovers(otherPrefix);
        DesktopNetwork.hostDevice(prefix).remove();
    }

    @Test
    void aDesktopsNamespaceHasOnlyLoopbackAndARenewalKillsWhatRanInTheOldOne() throws Exception {
        DesktopNetwork network = DesktopNetwork.own(prefix, 0);
        assertTrue(prefix.matches("envgrid-[0-9a-f]{12}-"), prefix);
        network.renew();
        ProcessOutcome links = NamespacedProcesses.run(network, List.of("ip", "-o", "link"));
        assertTrue(links.succeeded(), links.stderr());
        assertEquals(1, links.stdoutText().strip().lines().count(), "only lo: " + links.stdoutText());
        assertTrue(links.stdoutText().contains("lo:") && links.stdoutText().contains("UP"), links.stdoutText());
        // what runs inside answers on its loopback
        assertTrue(NamespacedProcesses.run(network, List.of("python3", "-c", "import socket; s = socket.socket(); "
                + "s.bind(('127.0.0.1', 0)); s.listen(); c = socket.create_connection(s.getsockname()); print('ok')"))
                .succeeded());

        Process inside = processes.start(network, List.of("sleep", "300"));
        Conditions.await(() -> NamespacedProcesses.namespaceOf(inside.pid()).equals(inode(network)),
                "the sleeper in the namespace");
        String before = inode(network);
        // held open so that the old namespace outlives its removal: a freed namespace's inode number is free for the
        // next one, and the comparison below would then fail though the namespace is new
        try (FileChannel held = FileChannel.open(DesktopNetwork.NAMESPACES.resolve(network.name().orElseThrow()))) {
            network.renew();
            Conditions.await(() -> !inside.isAlive(), "the process in the old namespace killed", Duration.ofSeconds(10));
            assertNotEquals(before, inode(network), "a renewal makes a new namespace");
        }

        network.remove();
        assertFalse(Files.exists(DesktopNetwork.NAMESPACES.resolve(prefix + 0)), "removed");
    }

    @Test
    void leftoversOfThisAgentAreRemovedAndAnotherAgentsKept() throws Exception {
        DesktopNetwork leftover = DesktopNetwork.own(prefix, 3);
        DesktopNetwork others = DesktopNetwork.own(otherPrefix, 3);
        DesktopNetwork host = DesktopNetwork.hostDevice(prefix);
        leftover.renew();
        others.renew();
        host.renew();
        Process orphan = processes.start(leftover, List.of("sleep", "300"));
        Conditions.await(() -> NamespacedProcesses.namespaceOf(orphan.pid()).equals(inode(leftover)),
                "the orphan in the leftover");

        DesktopNetwork.removeLeftovers(prefix);

        assertFalse(Files.exists(DesktopNetwork.NAMESPACES.resolve(prefix + 3)), "the leftover removed");
        Conditions.await(() -> !orphan.isAlive(), "the process in the leftover killed", Duration.ofSeconds(10));
        assertTrue(Files.exists(DesktopNetwork.NAMESPACES.resolve(otherPrefix + 3)), "another agent's namespace kept");
        assertTrue(Files.exists(DesktopNetwork.NAMESPACES.resolve(prefix + "host")), "the host device's namespace kept");
    }

    @Test
    void theHostsNamespaceIsNeitherEnteredNorMade() throws Exception {
        DesktopNetwork shared = DesktopNetwork.shared();
        shared.renew();
        assertEquals(List.of(), shared.enterPrefix());
        assertTrue(shared.name().isEmpty());
    }

    private static String inode(DesktopNetwork network) {
        try {
            return "net:[" + Files.getAttribute(DesktopNetwork.NAMESPACES.resolve(network.name().orElseThrow()),
                    "unix:ino") + "]";
        } catch (IOException e) {
            return "(none)";
        }
    }
}

package io.envgrid.deviceagent.support;

import io.envgrid.testsupport.process.PackagedApp;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The agent under test hosts {@link #COUNT} desktops itself ({@code envgrid.device-agent.desktops.*}): each its own
 * Xvfb (on a display number it picks free), openbox, uid, home (under {@code target/fleet/homes}) restored from
 * {@link #TEMPLATE} at every reset, and its own port (two free consecutive ports). Resets are looked for every
 * {@link #RECONCILE_INTERVAL} and started at once on the lease channel's message ({@link RealAllocator}'s Redis).
 */
public class FleetDesktops implements QuarkusTestResourceLifecycleManager {

    public static final int COUNT = 2;
    /**
     * The lowest uid a test agent's desktops get: above every uid the other tests use as workers or tenants; the
     * highest is 69999 (by pid, below), under deploy-check's DesktopHostImageTest's desktop (70000 and up).
     */
    public static final int FIRST_UID = 62000;
    public static final Path ROOT = Path.of("target", "fleet").toAbsolutePath();
    /** The template home: one file, {@code template.txt}. */
    public static final Path TEMPLATE = ROOT.resolve("template");
    public static final Path HOMES = ROOT.resolve("homes");
    /**
     * Long enough that a prompt reset shows the lease channel's message at work, short enough that a test of a lost
     * message waits little.
     */
    public static final java.time.Duration RECONCILE_INTERVAL = java.time.Duration.ofSeconds(3);

    private static volatile int firstPort;

    /** The port desktop {@code index} is served on. */
    public static int port(int index) {
        return firstPort + index;
    }

    @Override
    public Map<String, String> start() {
        try {
            Files.createDirectories(TEMPLATE);
            Files.writeString(TEMPLATE.resolve("template.txt"), "from the template\n");
            Files.createDirectories(HOMES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        firstPort = consecutivePorts(COUNT);
        // uids of this JVM's own: a reset kills every process of its desktop's uid, so two test runs on one machine
        // (parallel builds) with the default 61000 + i would kill each other's desktops
        int firstUid = FIRST_UID + (int) (ProcessHandle.current().pid() % 4000) * COUNT;
        return Map.ofEntries(
                Map.entry("envgrid.device-agent.desktops.count", Integer.toString(COUNT)),
                Map.entry("envgrid.device-agent.desktops.first-port", Integer.toString(firstPort)),
                Map.entry("envgrid.device-agent.desktops.first-uid", Integer.toString(firstUid)),
                Map.entry("envgrid.device-agent.desktops.home-root", HOMES.toString()),
                Map.entry("envgrid.device-agent.desktops.template", TEMPLATE.toString()),
                Map.entry("envgrid.device-agent.desktops.geometry", "800x600x24"),
                Map.entry("envgrid.device-agent.desktops.reconcile-interval", RECONCILE_INTERVAL.toMillis() + "ms"),
                // a failed reset is retried soon, so a test of the recovery waits little
                Map.entry("envgrid.device-agent.desktops.reset-retry-backoff", "1s"),
                Map.entry("envgrid.device-agent.desktops.reset-retry-max-backoff", "2s"),
                // a dropped lease channel subscription stays down for seconds (the default is 100 ms), so that a
                // message published just after the drop is surely lost and the test of reconciliation shows it
                Map.entry("envgrid.device-agent.desktops.lease-channel-retry-backoff", "4s"),
                Map.entry("envgrid.device-agent.desktops.lease-channel-retry-max-backoff", "4s"));
    }

    @Override
    public void stop() {
        // the agent stops its desktops itself
    }

    /** The first of {@code count} consecutive ports nothing listens on right now. */
    public static int consecutivePorts(int count) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = PackagedApp.freePort();
            boolean free = true;
            for (int i = 1; i < count && free; i++) {
                try (ServerSocket probe = new ServerSocket(first + i)) {
                    free = probe.getLocalPort() == first + i;
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports");
    }
}

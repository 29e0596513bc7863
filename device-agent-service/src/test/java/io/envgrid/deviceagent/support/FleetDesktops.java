package io.envgrid.deviceagent.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The agent under test hosts {@link #COUNT} desktops itself ({@code envgrid.device-agent.desktops.*}): each its own
 * Xvfb (on free display numbers from 400 up), openbox, uid, home (under {@code target/fleet/homes}) restored from
 * {@link #TEMPLATE} at every reset, and its own port (two free consecutive ports). Resets are looked for every
 * {@link #RECONCILE_INTERVAL} and started at once on the lease channel's message ({@link RealAllocator}'s Redis).
 */
public class FleetDesktops implements QuarkusTestResourceLifecycleManager {

    public static final int COUNT = 2;
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
    private static volatile int firstDisplay;

    /** The port desktop {@code index} is served on. */
    public static int port(int index) {
        return firstPort + index;
    }

    /** The X display number of desktop {@code index}. */
    public static int display(int index) {
        return firstDisplay + index;
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
        firstDisplay = consecutiveDisplays(COUNT);
        return Map.ofEntries(
                Map.entry("envgrid.device-agent.desktops.count", Integer.toString(COUNT)),
                Map.entry("envgrid.device-agent.desktops.first-port", Integer.toString(firstPort)),
                Map.entry("envgrid.device-agent.desktops.first-display", Integer.toString(firstDisplay)),
                Map.entry("envgrid.device-agent.desktops.home-root", HOMES.toString()),
                Map.entry("envgrid.device-agent.desktops.template", TEMPLATE.toString()),
                Map.entry("envgrid.device-agent.desktops.geometry", "800x600x24"),
                Map.entry("envgrid.device-agent.desktops.reconcile-interval", RECONCILE_INTERVAL.toMillis() + "ms"));
    }

    @Override
    public void stop() {
        // the agent stops its desktops itself
    }

    /** The first of {@code count} consecutive ports nothing listens on right now. */
    public static int consecutivePorts(int count) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = PackagedService.freePort();
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

    /** The first of {@code count} consecutive X display numbers from 400 up that no X server holds. */
    public static int consecutiveDisplays(int count) {
        int first = 400 + (int) (ProcessHandle.current().pid() % 200);
        while (true) {
            boolean free = true;
            for (int i = 0; i < count; i++) {
                free &= !new File("/tmp/.X11-unix/X" + (first + i)).exists()
                        && !new File("/tmp/.X" + (first + i) + "-lock").exists();
            }
            if (free) {
                return first;
            }
            first += count;
        }
    }
}

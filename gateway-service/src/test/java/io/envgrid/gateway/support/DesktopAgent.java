package io.envgrid.gateway.support;

import io.envgrid.gateway.id.KeyPart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The packaged device agent serving one real X display as an OSWorld desktop and registering it
 * with the test cluster's allocator as {@code <agentId>:desktop} of the given type (no host
 * device, no adb). Returns once the allocator lists the desktop.
 */
public final class DesktopAgent {

    private DesktopAgent() {
    }

    /** Starts the agent; its data directory is a fresh folder under {@code target/}. */
    public static ServiceProcess start(String name, String agentId, String type, Xvfb display) throws IOException {
        return start(name, agentId, type, display, Map.of());
    }

    /** Starts the agent with further settings ({@code extra} wins over the defaults here). */
    public static ServiceProcess start(String name, String agentId, String type, Xvfb display, Map<String, String> extra)
            throws IOException {
        Path data = Files.createTempDirectory(Path.of("target"), name + "-");
        TestCluster cluster = TestCluster.get();
        Map<String, String> properties = new java.util.HashMap<>(Map.of(
                "envgrid.device-agent.data-dir", data.toAbsolutePath().toString(),
                "envgrid.device-agent.desktop.display", display.display(),
                "envgrid.device-agent.desktop.register", "true",
                "envgrid.device-agent.desktop.resource-type", type,
                "envgrid.device-agent.agent-id", agentId,
                "envgrid.device-agent.public-url", "http://127.0.0.1:${quarkus.http.port}",
                "envgrid.device-agent.registration.heartbeat-interval", "1s",
                "envgrid.device-agent.linux-host.enabled", "false",
                "envgrid.device-agent.adb.enabled", "false",
                "envgrid.allocator.url", cluster.allocatorUrl()));
        properties.putAll(extra);
        ServiceProcess agent = ServiceProcess.start(name, "device-agent-service", properties);
        awaitRegistered(agentId + ":desktop");
        return agent;
    }

    /** Waits until the allocator lists the resource (the agent registers it, and again after a forced delete). */
    public static void awaitRegistered(String resourceId) {
        Conditions.await("the agent registered " + resourceId, Duration.ofSeconds(30), () ->
                TestCluster.get().allocatorCall("GET", "/resources/" + KeyPart.pathSegment(resourceId), null).statusCode() == 200);
    }
}

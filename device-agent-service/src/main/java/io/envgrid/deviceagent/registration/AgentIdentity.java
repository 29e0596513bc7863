package io.envgrid.deviceagent.registration;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import org.eclipse.microprofile.config.ConfigProvider;

/** How this agent is named in resource ids and reached by the holders of its resources. */
@ApplicationScoped
public class AgentIdentity {

    private final DeviceAgentConfig settings;

    public AgentIdentity(DeviceAgentConfig settings) {
        this.settings = settings;
    }

    public String agentId() {
        return settings.agentId().orElseGet(AgentIdentity::hostName);
    }

    /** The resource id of one of this agent's devices: {@code <agent id>:<device id>}. */
    public String deviceResourceId(String deviceId) {
        return agentId() + ":" + deviceId;
    }

    /** The resource id of this host's desktop: {@code envgrid.device-agent.desktop.resource-id}, else {@code <agent id>:desktop}. */
    public String desktopResourceId() {
        return settings.desktop().resourceId().orElseGet(() -> agentId() + ":desktop");
    }

    /** Read when needed, not at start: with port 0 the HTTP port is only known once the server listens. */
    public URI publicUrl() {
        return settings.publicUrl().orElseGet(() -> URI.create("http://" + hostName() + ":" + httpPort()));
    }

    /** The HTTP port the agent listens on (bound, when it was started on port 0). */
    public static int httpPort() {
        // Quarkus publishes the port it actually bound under the launch mode's key.
        String key = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return ConfigProvider.getConfig().getOptionalValue(key, Integer.class).orElse(8083);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}

package io.envgrid.deviceagent.registration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** How this agent names itself and its resources in the allocator, and how often it proves it is alive. */
@ConfigMapping(prefix = "envgrid.device-agent")
public interface RegistrationSettings {

    /** Prefix of every resource id this agent registers; the host name when unset. */
    Optional<String> agentId();

    /** How callers reach this agent; {@code http://<host name>:<HTTP port>} when unset. */
    Optional<URI> publicUrl();

    Registration registration();

    Desktop desktop();

    interface Registration {
        /** Heartbeat period; also how soon discovered or lost devices reach the allocator. */
        @WithDefault("5s")
        Duration heartbeatInterval();

        /** Seconds without a heartbeat after which the allocator marks a resource down. */
        @WithDefault("15")
        int heartbeatTtlSeconds();
    }

    interface Desktop {
        /** Offer the host's display as an OSWorld-style desktop resource. */
        @WithDefault("false")
        boolean register();

        @WithDefault("vm_pyautogui")
        String resourceType();

        /** {@code <agent id>:desktop} when unset. */
        Optional<String> resourceId();
    }
}

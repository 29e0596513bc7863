package io.envgrid.deviceagent.computer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings of the A2C-SMCP Computer role ({@code envgrid.device-agent.computer.*}). */
@ConfigMapping(prefix = "envgrid.device-agent.computer")
public interface ComputerConfig {

    /** The inputs and MCP servers hosted at start ({@link ComputerSetup} as JSON); none when absent. */
    Optional<Path> configFile();

    /** Time a tool call may take when its caller names none. */
    @WithDefault("60s")
    Duration defaultCallTimeout();

    /** First wait before a crashed or unreachable server is started again; doubled on each failure. */
    @WithDefault("1s")
    Duration restartBackoff();

    /** Longest wait between two restarts of one server. */
    @WithDefault("60s")
    Duration restartBackoffMax();

    /** How long starting a server (process or connection plus MCP initialize) may take. */
    @WithDefault("30s")
    Duration startTimeout();

    /** The signalling connection; off without a URL. */
    Signalling signalling();

    /** The dial-out to the A2C-SMCP signalling server. */
    interface Signalling {
        /** Base URL of the signalling server (the gateway); the Computer connects to namespace {@code /smcp}. */
        Optional<URI> url();

        /** Bearer sent as {@code auth.token}. */
        Optional<String> token();

        /** The office (room) to join. */
        Optional<String> officeId();

        /** The Computer's name in its office; the agent id (host name) when absent. */
        Optional<String> name();

        /**
         * The A2C-SMCP protocol version announced as {@code a2c_version}: {@code 0.4.0} (the released SDK's) or
         * {@code 0.5.0}; the server picks the generation of its answers from it. Joins are read in either shape.
         */
        @WithDefault("0.4.0")
        String a2cVersion();

        /** First wait before reconnecting; doubled on each failure. */
        @WithDefault("500ms")
        Duration reconnectDelay();

        /** Longest wait between two reconnects. */
        @WithDefault("10s")
        Duration reconnectDelayMax();
    }
}

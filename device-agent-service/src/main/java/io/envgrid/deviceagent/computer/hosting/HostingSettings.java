package io.envgrid.deviceagent.computer.hosting;

import java.time.Duration;

/** The time limits of hosting, from {@code envgrid.device-agent.computer.*}. */
record HostingSettings(Duration startTimeout, Duration requestTimeout, Duration restartBackoff,
        Duration restartBackoffMax) {
}

package io.envgrid.deviceagent.x11;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host's X display and the X tools that act on it ({@code xdotool}, {@code xwd}), each run with
 * DISPLAY set. Absent when the desktop endpoint is off or no display is known.
 */
@ApplicationScoped
public class XDisplay {

    /** An X tool answers at once; longer means the display is wedged. */
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(10);

    private final Optional<String> display;

    public XDisplay(DeviceAgentConfig config) {
        this.display = config.desktop().enabled()
                ? config.desktop().display().or(() -> Optional.ofNullable(System.getenv("DISPLAY"))).filter(d -> !d.isBlank())
                : Optional.empty();
    }

    public Optional<String> name() {
        return display;
    }

    /** The display name; an {@link X11Exception.NoDisplay} when there is none. */
    public String require() {
        return display.orElseThrow(() -> new X11Exception.NoDisplay(
                "no X display: set envgrid.device-agent.desktop.display "
                + "or DISPLAY and enable envgrid.device-agent.desktop.enabled"));
    }

    /** Environment for programs that draw on or read the display. */
    public Map<String, String> environment() {
        return Map.of("DISPLAY", require());
    }

    /**
     * Runs an X tool; a failure is an {@link X11Exception.ToolFailed} naming the tool and what it
     * printed.
     */
    public ProcessOutcome tool(List<String> command) {
        ProcessOutcome outcome;
        try {
            outcome = HostProcesses.run(command, null, environment(), TOOL_TIMEOUT);
        } catch (java.io.UncheckedIOException e) {
            throw new X11Exception.ToolFailed(
                    command.get(0) + " is not available on this host: " + e.getMessage());
        }
        if (!outcome.succeeded()) {
            throw new X11Exception.ToolFailed(String.join(" ", command) + " failed"
                    + (outcome.timedOut() ? " (timed out)" : ": " + outcome.stderr().trim()));
        }
        return outcome;
    }
}

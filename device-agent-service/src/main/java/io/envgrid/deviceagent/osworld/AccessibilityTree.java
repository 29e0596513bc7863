package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import io.envgrid.deviceagent.x11.XDisplay;
import io.envgrid.deviceagent.x11.XInput;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The display's accessibility tree from AT-SPI, in OSWorld's XML shape ({@code {"AT": xml}}). It is
 * read by a small Python program shipped with the agent ({@code osworld/atspi_tree.py}) through
 * pyatspi, which finds the display's accessibility bus itself (the {@code AT_SPI_BUS} property
 * at-spi-bus-launcher puts on the root window). Where the host has no pyatspi or no bus, the
 * answer is an empty tree and the reason, as OSWorld's server answers on a host without AT-SPI.
 *
 * <p>The reader runs as the desktop's worker user ({@link WorkerExec}), never as the agent: any client of the display
 * can set {@code AT_SPI_BUS}, and a D-Bus address such as {@code unixexec:path=/bin/sh,…} makes the reader run that
 * program (a hostile review ran {@code id} as root this way). As the worker, it runs only what the worker could run
 * itself. The screen size goes in as the first argument, since the worker's environment is filtered.
 */
@ApplicationScoped
public class AccessibilityTree {

    private static final String SCRIPT = "osworld/atspi_tree.py";
    private static final int NO_PYATSPI = 3;
    private static final int NO_BUS = 4;

    private final XDisplay display;
    private final XInput input;
    private final WorkerExec workers;
    private final String python;
    private final Duration timeout;
    private final String script;

    public AccessibilityTree(XDisplay display, XInput input, DeviceAgentConfig config, WorkerExec workers) {
        this.display = display;
        this.input = input;
        this.workers = workers;
        this.python = config.desktop().accessibilityPython();
        this.timeout = config.desktop().accessibilityTimeout();
        this.script = loadScript();
    }

    /** The tree, its root carrying the screen's size as the X server reports it. */
    public Map<String, Object> read() {
        XInput.ScreenSize size = input.screenSize();
        String screenSize = size.width() + "x" + size.height();
        return read(python, workers::command, workers.environment(display.environment()), timeout, script, screenSize);
    }

    /**
     * Runs the reader with this Python, started as {@code asWorker} makes it ({@link WorkerExec#command}); the answer as
     * OSWorld's server gives it. {@code screenSize}: {@code "1280x800"}.
     */
    static Map<String, Object> read(String python, UnaryOperator<List<String>> asWorker, Map<String, String> environment,
            Duration timeout, String script, String screenSize) {
        ProcessOutcome outcome;
        try {
            outcome = HostProcesses.run(asWorker.apply(List.of(python, "-c", script, screenSize)), null, environment, timeout);
        } catch (UncheckedIOException e) {
            return empty(python + " cannot run here, so AT-SPI cannot be read: " + e.getMessage());
        }
        if (outcome.timedOut()) {
            return empty("reading the AT-SPI tree took longer than " + timeout.toSeconds() + " s");
        }
        if (outcome.exitCode() == 0) {
            return Map.of("AT", outcome.stdoutText());
        }
        String reason = outcome.stderr().strip();
        String lastLine = reason.substring(reason.lastIndexOf('\n') + 1);
        return empty(switch (outcome.exitCode()) {
            case NO_PYATSPI, NO_BUS -> lastLine;
            default -> "reading the AT-SPI tree failed: " + lastLine;
        });
    }

    private static Map<String, Object> empty(String message) {
        return Map.of("AT", "", "message", "no accessibility tree: " + message);
    }

    static String loadScript() {
        try (InputStream in = AccessibilityTree.class.getClassLoader().getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the application");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

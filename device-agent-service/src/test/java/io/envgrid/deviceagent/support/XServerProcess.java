package io.envgrid.deviceagent.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An Xvfb of a test's own, for what the shared {@link Xvfb} must not suffer: being stopped and started again on the
 * same display number, or run with access control ({@code -auth}). Stopped by {@link #close()}.
 */
public final class XServerProcess implements AutoCloseable {

    private String name; // set at the first launch, kept by restart()
    private final String geometry;
    private final List<String> extra;
    private Process server;

    private XServerProcess(String geometry, List<String> extra) {
        this.geometry = geometry;
        this.extra = extra;
    }

    /** Starts Xvfb (640×480×24) on a free display number with these extra arguments, and waits until it accepts. */
    public static XServerProcess start(String... extraArguments) {
        return sized("640x480x24", extraArguments);
    }

    /** Starts Xvfb with this screen geometry ({@code 1920x1080x24}) on a free display number. */
    public static XServerProcess sized(String geometry, String... extraArguments) {
        XServerProcess process = new XServerProcess(geometry, List.of(extraArguments));
        process.launch();
        return process;
    }

    public String display() {
        return name;
    }

    /** Kills the server and waits until it is gone (its socket removed). */
    public void stop() {
        server.destroy();
        try {
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the server again on the same display number. */
    public void restart() {
        stop();
        launch();
    }

    private void launch() {
        // -displayfd: Xvfb picks a free number itself the first time (no race with another process choosing the same
        // one) and, every time, writes it once it accepts clients: its socket file appears at bind(), before listen(),
        // and a client connecting in between was refused (a clean-clone CI run)
        List<String> command = new ArrayList<>(List.of("Xvfb"));
        if (name != null) {
            command.add(name);
        }
        command.addAll(List.of("-displayfd", "1", "-screen", "0", geometry, "-nolisten", "tcp", "-noreset"));
        command.addAll(extra);
        Path log = Path.of("target", "xvfb-" + System.nanoTime() + ".log");
        try {
            server = new ProcessBuilder(command).redirectError(log.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("Xvfb is not installed; './envgrid test' installs it", e);
        }
        name = ":" + Xvfb.displayNumber(server, log);
    }

    @Override
    public void close() {
        stop();
    }
}

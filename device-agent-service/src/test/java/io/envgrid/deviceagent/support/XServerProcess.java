package io.envgrid.deviceagent.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An Xvfb of a test's own, for what the shared {@link Xvfb} must not suffer: being stopped and started again on the
 * same display number, or run with access control ({@code -auth}). Stopped by {@link #close()}.
 */
public final class XServerProcess implements AutoCloseable {

    private final String name;
    private final String geometry;
    private final List<String> extra;
    private Process server;

    private XServerProcess(String name, String geometry, List<String> extra) {
        this.name = name;
        this.geometry = geometry;
        this.extra = extra;
    }

    /** Starts Xvfb (640×480×24) on a free display number with these extra arguments, and waits until it listens. */
    public static XServerProcess start(String... extraArguments) {
        return sized("640x480x24", extraArguments);
    }

    /** Starts Xvfb with this screen geometry ({@code 1920x1080x24}) on a free display number. */
    public static XServerProcess sized(String geometry, String... extraArguments) {
        int number = 140;
        while (new File("/tmp/.X11-unix/X" + number).exists() || new File("/tmp/.X" + number + "-lock").exists()) {
            number++;
        }
        XServerProcess process = new XServerProcess(":" + number, geometry, List.of(extraArguments));
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
        List<String> command = new ArrayList<>(List.of("Xvfb", name, "-screen", "0", geometry, "-nolisten", "tcp", "-noreset"));
        command.addAll(extra);
        try {
            server = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(Path.of("target", "xvfb" + name.substring(1) + ".log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("Xvfb is not installed; './envgrid test' installs it", e);
        }
        // the socket appears once the server listens; with -auth xdpyinfo could not tell us
        Conditions.await(() -> new File("/tmp/.X11-unix/X" + name.substring(1)).exists() || !server.isAlive(),
                "Xvfb listening on " + name, Duration.ofSeconds(60)); // a clean-clone run at load 50 took over 10 s
        if (!server.isAlive()) {
            throw new IllegalStateException("Xvfb " + name + " exited; see target/xvfb" + name.substring(1) + ".log");
        }
    }

    @Override
    public void close() {
        stop();
    }
}

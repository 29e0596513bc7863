package io.envgrid.gateway.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real X server (Xvfb, installed by {@code ./envgrid test}) on a free display number, for the
 * device agent's desktop endpoint, and an xterm on it to type into. {@code -noreset}: without it the
 * server resets whenever its last client disconnects, which every short xdotool call is.
 */
public final class Xvfb implements AutoCloseable {

    public static final int WIDTH = 1280;
    public static final int HEIGHT = 800;

    private final String display;
    private final Process server;
    private Process terminal;

    private Xvfb(String display, Process server) {
        this.display = display;
        this.server = server;
    }

    public static Xvfb start() {
        int number = 90;
        while (new File("/tmp/.X11-unix/X" + number).exists() || new File("/tmp/.X" + number + "-lock").exists()) {
            number++;
        }
        String display = ":" + number;
        try {
            Files.createDirectories(Path.of("target"));
            Process server = new ProcessBuilder("Xvfb", display, "-screen", "0", WIDTH + "x" + HEIGHT + "x24", "-nolisten", "tcp", "-noreset")
                    .redirectErrorStream(true).redirectOutput(Path.of("target", "xvfb.log").toFile()).start();
            Xvfb xvfb = new Xvfb(display, server);
            Runtime.getRuntime().addShutdownHook(new Thread(xvfb::close));
            Conditions.await("Xvfb on " + display, Duration.ofSeconds(20), xvfb::answers);
            return xvfb;
        } catch (IOException e) {
            throw new IllegalStateException("Xvfb is not installed: run './envgrid test', which installs it", e);
        }
    }

    private boolean answers() {
        if (!server.isAlive()) {
            throw new IllegalStateException("Xvfb exited; see target/xvfb.log");
        }
        try {
            Process probe = new ProcessBuilder("xdpyinfo", "-display", display).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return probe.waitFor(5, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String display() {
        return display;
    }

    /** Opens an xterm filling the screen, focused, so typed text lands in its shell. */
    public void openTerminal(Path workingDir) {
        try {
            ProcessBuilder builder = new ProcessBuilder("xterm", "-geometry", "200x60+0+0")
                    .directory(Files.createDirectories(workingDir).toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("DISPLAY", display);
            terminal = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (terminal != null) {
            terminal.destroy();
        }
        server.destroy();
    }
}

package io.envgrid.gateway.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private Process eventWindow;

    private static final Pattern KEY_PRESS = Pattern.compile("KeyPress event.*?keysym 0x[0-9a-f]+, ([^)]+)\\)",
            Pattern.DOTALL);

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
            Conditions.await("Xvfb on " + display, Duration.ofSeconds(60), xvfb::answers);
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

    /**
     * Opens an {@code xev} window (x11-utils) 300×200 at (900, 100), its events written line by line to
     * {@code log}, and waits until it is on screen. The pointer inside it gives it the keyboard (no window manager).
     */
    public void openEventWindow(Path log) {
        try {
            Files.deleteIfExists(log);
            ProcessBuilder builder = new ProcessBuilder("stdbuf", "-oL", "xev", "-geometry", "300x200+900+100")
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("DISPLAY", display);
            eventWindow = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Conditions.await("the xev window on screen", Duration.ofSeconds(20), () -> read(log).contains("MapNotify"));
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The keysym names of the key presses {@code xev} logged, in order. */
    public static List<String> keyPresses(Path log) {
        Matcher m = KEY_PRESS.matcher(read(log));
        List<String> keys = new ArrayList<>();
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    @Override
    public void close() {
        if (eventWindow != null) {
            eventWindow.destroy();
        }
        if (terminal != null) {
            terminal.destroy();
        }
        server.destroy();
    }
}

package io.envgrid.deviceagent.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real X server for the desktop tests: Xvfb (installed by {@code ./envgrid test}) on a display number it picks
 * itself, 1280×800×24, started once per test JVM; plus the X clients the tests open on it.
 * {@code -noreset}: without it the server resets (pointer back to the centre) whenever its last
 * client disconnects, which every short xdotool call is.
 */
public class Xvfb implements QuarkusTestResourceLifecycleManager {

    public static final int WIDTH = 1280;
    public static final int HEIGHT = 800;

    private static String display;
    private static final List<Process> CLIENTS = new ArrayList<>();

    /**
     * {@code /setup/open_file}'s opener on the test display (no xdg-open here): the file in vi inside an xterm titled
     * with the file's name, as a desktop's editor names its window; a list setting, the path appended as {@code $1}.
     */
    public static final String OPENER = "sh,-c,exec xterm -T \"$(basename \"$1\")\" -geometry 80x20+600+0 "
            + "-e vi -u NONE -i NONE -n \"$1\",open";

    @Override
    public Map<String, String> start() {
        return Map.of("envgrid.device-agent.desktop.enabled", "true", "envgrid.device-agent.desktop.display", display(),
                "envgrid.device-agent.desktop.open-command", OPENER,
                // an xterm with vi can take many seconds to map on a machine under load
                "envgrid.device-agent.desktop.open-window-timeout", "60s");
    }

    @Override
    public void stop() {
        // shared by the desktop test classes; stops with the JVM
    }

    public static synchronized String display() {
        if (display == null) {
            Process server;
            try {
                // -displayfd: the server takes a free display itself and writes its number on stdout once it accepts
                // clients, so parallel test JVMs never pick the same number and no fixed wait can be too short
                server = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", WIDTH + "x" + HEIGHT + "x24",
                        "-nolisten", "tcp", "-noreset")
                        .redirectError(Path.of("target", "xvfb.log").toFile()).start();
                CLIENTS.add(server);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> CLIENTS.forEach(Process::destroyForcibly)));
            } catch (IOException e) {
                throw new IllegalStateException("Xvfb is not installed; './envgrid test' installs it", e);
            }
            String name = ":" + displayNumber(server, Path.of("target", "xvfb.log"));
            Conditions.await(() -> run("xdpyinfo", "-display", name), "Xvfb answering on " + name, Duration.ofSeconds(60));
            display = name;
        }
        return display;
    }

    /**
     * The display number Xvfb wrote on its stdout ({@code -displayfd 1}), which it does once it accepts clients;
     * throws if it exited first, naming {@code log}, where its standard error went.
     */
    static String displayNumber(Process server, Path log) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII))) {
            String line = out.readLine();
            if (line == null || !line.strip().matches("[0-9]+")) {
                throw new IllegalStateException("Xvfb exited without a display (see " + log + "): " + line);
            }
            return line.strip();
        } catch (IOException e) {
            throw new IllegalStateException("reading Xvfb's display number", e);
        }
    }

    /** Starts an X client on the display, e.g. {@code xterm}; it is stopped with the JVM or by the caller. */
    public static Process client(Path workingDir, Path output, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(Files.createDirectories(workingDir).toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(output.toFile()));
            builder.environment().put("DISPLAY", display());
            Process process = builder.start();
            synchronized (Xvfb.class) {
                CLIENTS.add(process);
            }
            return process;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs an X tool against the display; true when it exits 0. */
    public static boolean run(String... command) {
        return runOn(display, command);
    }

    /** Runs an X tool against {@code on} (null: the environment's display); true when it exits 0 within 10 s. */
    public static boolean runOn(String on, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            if (on != null) {
                builder.environment().put("DISPLAY", on);
            }
            Process process = builder.start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            throw new IllegalStateException(command[0] + " is not installed; './envgrid test' installs it", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

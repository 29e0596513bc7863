package io.envgrid.deviceagent.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A desktop as {@code ./envgrid up} hosts one, for the set-up routes that behave differently there: its own Xvfb
 * (640×480, a display of its own so no other test's windows or background are touched) with openbox as window
 * manager, and {@code /setup/open_file} with the default opener, {@code xdg-open}, in a home copied from
 * {@code local/desktop-template} (whose {@code mimeapps.list} opens text files in vi inside an xterm). Started per test
 * class that declares it ({@code @WithTestResource(WindowManagedXvfb.class)}), stopped with it.
 */
public class WindowManagedXvfb implements QuarkusTestResourceLifecycleManager {

    public static final int WIDTH = 640;
    public static final int HEIGHT = 480;
    private static final Path TEMPLATE = Path.of("..", "local", "desktop-template");

    private static String display;
    private final List<Process> processes = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        int number = 140;
        while (new File("/tmp/.X11-unix/X" + number).exists() || new File("/tmp/.X" + number + "-lock").exists()) {
            number++;
        }
        display = ":" + number;
        Path home = copyOfTemplate();
        processes.add(start("Xvfb", display, "-screen", "0", WIDTH + "x" + HEIGHT + "x24", "-nolisten", "tcp",
                "-noreset"));
        Conditions.await(() -> run("xdpyinfo"), "Xvfb answering on " + display, Duration.ofSeconds(60));
        processes.add(start("openbox"));
        // openbox owns the screen once it has set the EWMH check window on the root
        Conditions.await(() -> run("xprop", "-root", "_NET_SUPPORTING_WM_CHECK"), "openbox managing " + display,
                Duration.ofSeconds(30));
        return Map.of("envgrid.device-agent.desktop.enabled", "true", "envgrid.device-agent.desktop.display", display,
                "envgrid.device-agent.desktop.open-command", "env,HOME=" + home + ",xdg-open",
                "envgrid.device-agent.desktop.open-window-timeout", "60s");
    }

    @Override
    public void stop() {
        processes.forEach(Process::destroy);
        processes.clear();
    }

    /** The display this resource started. */
    public static String display() {
        return display;
    }

    /** Runs an X tool against the display; true when it exits 0 within 10 s. */
    public static boolean run(String... command) {
        return Xvfb.runOn(display, command);
    }

    /** Starts an X client on the display, its standard output and error into {@code output}. */
    public static Process client(Path output, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("DISPLAY", display);
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Process start(String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("DISPLAY", display);
            return builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(command[0] + " is not installed; './envgrid test' installs it", e);
        }
    }

    /** The template's files in target/, so nothing a program writes in its home lands in the repository. */
    private static Path copyOfTemplate() {
        Path home = Path.of("target", "window-managed-home").toAbsolutePath();
        try (Stream<Path> files = Files.walk(TEMPLATE)) {
            for (Path source : files.toList()) {
                Path target = home.resolve(TEMPLATE.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return home;
    }
}

package io.envgrid.deviceagent.osworld;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import io.envgrid.deviceagent.x11.XDisplay;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The set-up routes OSWorld's server implements with {@code xdg-open}, {@code wmctrl} and GNOME's settings (open a
 * file, activate or close a window, change the wallpaper), done here with the configured opener, {@code xdotool},
 * {@code wmctrl} and {@code xwallpaper} (installed by {@code ./envgrid}): every program runs as the worker's user with
 * the display's environment, never with the agent's rights.
 */
@ApplicationScoped
public class DesktopWindows {

    /** xdotool and test answer in milliseconds; a loaded host can take seconds; longer means the X server is wedged. */
    private static final Duration XDOTOOL_LIMIT = Duration.ofSeconds(30);
    /** How often open_file looks for the new window: a window maps within a few hundred ms of start. */
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long a program asked to close its window may take (to save, or to ask): then the window is killed. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final XDisplay display;
    private final WorkerExec workers;
    private final DeviceAgentConfig.Desktop config;
    private final DesktopCommands commands;

    public DesktopWindows(XDisplay display, WorkerExec workers, DeviceAgentConfig config, DesktopCommands commands) {
        this.commands = commands;
        this.display = display;
        this.workers = workers;
        this.config = config.desktop();
    }

    /**
     * {@code /setup/open_file}: 404 when the worker's user sees no such file; else the opener is started with the path
     * and the call waits for a visible window whose title contains the file's name, then raises it (408 when none
     * appears within {@code open-window-timeout}).
     */
    public String open(String given) {
        Path path = commands.path(given, "path");
        if (run(List.of("test", "-e", path.toString())).exitCode() != 0) {
            throw new DesktopAnswer(404, Map.of("error", "File not found: " + path));
        }
        List<String> command = new ArrayList<>(config.openCommand());
        command.add(path.toString());
        // started as /setup/launch starts a program: detached, as the worker's user, on the display
        ObjectNode launch = JsonNodeFactory.instance.objectNode();
        command.forEach(launch.putArray("command")::add);
        commands.launch(launch);
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        long deadline = System.nanoTime() + config.openWindowTimeout().toNanos();
        while (true) {
            List<String> windows = search(name, false, false);
            if (!windows.isEmpty()) {
                activate(windows.get(0));
                return "File opened and window activated successfully";
            }
            if (System.nanoTime() > deadline) {
                throw new DesktopAnswer(408, Map.of("error", "Failed to find window for " + name + " within "
                        + config.openWindowTimeout().toSeconds() + " seconds."));
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DesktopException(503, "interrupted while waiting for the window of " + name);
            }
        }
    }

    /**
     * {@code /setup/activate_window}: raises and focuses the first visible window whose title (or, {@code byClass},
     * class) contains {@code name} (case-insensitive; equals it with {@code strict}). As OSWorld's {@code wmctrl -a},
     * no match is not an error; the answer says how many matched.
     */
    public String activateWindow(String name, boolean strict, boolean byClass) {
        List<String> windows = search(name, strict, byClass);
        if (windows.isEmpty()) {
            return "No window matched " + name;
        }
        activate(windows.get(0));
        return "Window activated successfully";
    }

    /**
     * {@code /setup/close_window}: closes every visible matching window as OSWorld's {@code wmctrl -c} does, by asking
     * the window manager (which asks the program: it may save, or refuse); a window still there after
     * {@link #CLOSE_GRACE}, or on a desktop without a window manager (nobody to ask: wmctrl fails), has its X client
     * disconnected ({@code xdotool windowkill}).
     */
    public String closeWindow(String name, boolean strict, boolean byClass) {
        List<String> windows = search(name, strict, byClass);
        List<String> asked = new ArrayList<>();
        for (String window : windows) {
            if (run(List.of("wmctrl", "-i", "-c", window)).exitCode() == 0) {
                asked.add(window);
            } else {
                run(List.of("xdotool", "windowkill", window));
            }
        }
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        for (String window : asked) {
            while (exists(window) && System.nanoTime() < deadline) {
                pause(window);
            }
            if (exists(window)) {
                run(List.of("xdotool", "windowkill", window));
            }
        }
        return windows.isEmpty() ? "No window matched " + name : "Window closed successfully";
    }

    /**
     * {@code /setup/change_wallpaper}: shows the image at {@code path} as the desktop's background, scaled to cover the
     * screen ({@code xwallpaper --zoom}; OSWorld's server sets GNOME's {@code picture-uri}, which a desktop without
     * GNOME does not read). 404 when the worker's user cannot read the file, 400 when it is not an image.
     */
    public String changeWallpaper(String given) {
        Path path = commands.path(given, "path");
        if (run(List.of("test", "-r", path.toString())).exitCode() != 0) {
            throw new DesktopAnswer(404, Map.of("error", "File not found: " + path));
        }
        ProcessOutcome outcome = run(List.of("xwallpaper", "--zoom", path.toString()));
        if (outcome.exitCode() != 0) {
            throw new DesktopException(400, "cannot show " + path + " as the wallpaper: "
                    + outcome.stderr().strip());
        }
        return "Wallpaper changed successfully";
    }

    /** Whether the window is still there: xdotool cannot read the name of a window that is gone. */
    private boolean exists(String window) {
        return run(List.of("xdotool", "getwindowname", window)).exitCode() == 0;
    }

    private void pause(String window) {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DesktopException(503, "interrupted while waiting for window " + window + " to close");
        }
    }

    private void activate(String window) {
        // windowactivate needs a window manager (_NET_ACTIVE_WINDOW); raise and focus work with or without one
        if (run(List.of("xdotool", "windowactivate", "--sync", window)).exitCode() != 0) {
            run(List.of("xdotool", "windowraise", window));
            run(List.of("xdotool", "windowfocus", window));
        }
    }

    /** Visible windows matching {@code name}: xdotool matches POSIX extended regexes, so the name is escaped. */
    private List<String> search(String name, boolean strict, boolean byClass) {
        String pattern = strict ? "^" + literal(name) + "$" : literal(name);
        ProcessOutcome outcome = run(List.of("xdotool", "search", "--onlyvisible", byClass ? "--class" : "--name",
                pattern));
        return Arrays.stream(outcome.stdoutText().split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    static String literal(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if ("\\.[]{}()*+?^$|".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private ProcessOutcome run(List<String> command) {
        try {
            ProcessOutcome outcome = HostProcesses.run(workers.command(command), null,
                    workers.environment(display.environment()), XDOTOOL_LIMIT);
            if (outcome.timedOut()) {
                // not an answer about the file or the window: the desktop is too slow or wedged
                throw new DesktopException(503, command.get(0) + " did not finish within " + XDOTOOL_LIMIT.toSeconds()
                        + " s");
            }
            return outcome;
        } catch (UncheckedIOException e) {
            throw new DesktopException(500, "cannot run " + command.get(0) + ": " + e.getCause().getMessage());
        }
    }
}

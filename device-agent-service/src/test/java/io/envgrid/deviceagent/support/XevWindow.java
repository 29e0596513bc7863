package io.envgrid.deviceagent.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code xev} window (x11-utils) on the test display, 300×200 at (900, 100) — (1000, 200) is inside it —
 * whose button and key events are read back from its line-buffered output.
 */
public final class XevWindow {

    /** A point inside the window: with no window manager, the pointer there gives it the keyboard. */
    public static final int INSIDE_X = 1000;
    public static final int INSIDE_Y = 200;

    private static final Pattern EVENT = Pattern.compile(
            "(ButtonPress|ButtonRelease|KeyPress|KeyRelease) event.*?(button (\\d+)|keysym 0x[0-9a-f]+, ([^)]+)\\))",
            Pattern.DOTALL);

    private final Path log;

    private XevWindow(Path log) {
        this.log = log;
    }

    /** Opens the window and waits until it is mapped. */
    public static XevWindow open(Path directory) throws IOException {
        Path log = directory.resolve("xev-events.txt").toAbsolutePath();
        Files.deleteIfExists(log);
        // line-buffered, so each event reaches the file as it happens
        Xvfb.client(directory, log, "stdbuf", "-oL", "xev", "-geometry", "300x200+900+100");
        XevWindow window = new XevWindow(log);
        Conditions.await(() -> window.text().contains("MapNotify"), "the xev window on screen");
        return window;
    }

    private String text() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Every input event so far, in order: button presses as {@code press:N} and releases as {@code release:N}, key
     * presses as {@code key:<keysym name>} and releases as {@code keyup:<keysym name>}.
     */
    public List<String> events() {
        Matcher m = EVENT.matcher(text());
        List<String> found = new ArrayList<>();
        while (m.find()) {
            String kind = switch (m.group(1)) {
                case "ButtonPress" -> "press:";
                case "ButtonRelease" -> "release:";
                case "KeyPress" -> "key:";
                default -> "keyup:";
            };
            found.add(kind + (m.group(3) != null ? m.group(3) : m.group(4)));
        }
        return found;
    }

    /** The events after the first {@code from}, once at least {@code count} of them have arrived. */
    public List<String> awaitEvents(int from, int count, String what) {
        Conditions.await(() -> events().size() - from >= count, what);
        List<String> all = events();
        return all.subList(from, all.size());
    }
}

package io.envgrid.deviceagent.x11;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** Real mouse and keyboard input on the display through {@code xdotool} (XTEST underneath). */
@ApplicationScoped
public class XInput {

    /** X pointer buttons: wheel up/down are 4/5, wheel left/right 6/7. */
    public static final int WHEEL_UP = 4;
    public static final int WHEEL_DOWN = 5;
    public static final int WHEEL_LEFT = 6;
    public static final int WHEEL_RIGHT = 7;

    private final XDisplay display;

    public XInput(XDisplay display) {
        this.display = display;
    }

    private void xdotool(String... args) {
        List<String> command = new ArrayList<>(args.length + 1);
        command.add("xdotool");
        command.addAll(List.of(args));
        display.tool(command);
    }

    public void moveTo(int x, int y) {
        // no --sync: it waits for pointer motion forever when the pointer is already there
        xdotool("mousemove", Integer.toString(x), Integer.toString(y));
    }

    public void click(int button, int count, int intervalMs) {
        xdotool("click", "--repeat", Integer.toString(count), "--delay", Integer.toString(intervalMs), Integer.toString(button));
    }

    public void buttonDown(int button) {
        xdotool("mousedown", Integer.toString(button));
    }

    public void buttonUp(int button) {
        xdotool("mouseup", Integer.toString(button));
    }

    /** Presses and releases one key. */
    public void key(String keysym) {
        xdotool("key", keysym);
    }

    /** A chord as pyautogui's hotkey plays it: keys down in order, then up in reverse order, in one xdotool run. */
    public void chord(List<String> keysyms) {
        List<String> steps = new ArrayList<>();
        keysyms.forEach(k -> {
            steps.add("keydown");
            steps.add(k);
        });
        for (int i = keysyms.size() - 1; i >= 0; i--) {
            steps.add("keyup");
            steps.add(keysyms.get(i));
        }
        xdotool(steps.toArray(String[]::new));
    }

    public void keyDown(String keysym) {
        xdotool("keydown", keysym);
    }

    public void keyUp(String keysym) {
        xdotool("keyup", keysym);
    }

    public void type(String text, int intervalMs) {
        xdotool("type", "--delay", Integer.toString(intervalMs), "--", text);
    }

    public CursorPosition cursor() {
        String shell = display.tool(List.of("xdotool", "getmouselocation", "--shell")).stdoutText();
        int x = 0;
        int y = 0;
        for (String line : shell.split("\n")) {
            if (line.startsWith("X=")) {
                x = Integer.parseInt(line.substring(2).trim());
            } else if (line.startsWith("Y=")) {
                y = Integer.parseInt(line.substring(2).trim());
            }
        }
        return new CursorPosition(x, y);
    }

    public ScreenSize screenSize() {
        String[] size = display.tool(List.of("xdotool", "getdisplaygeometry")).stdoutText().trim().split("\\s+");
        return new ScreenSize(Integer.parseInt(size[0]), Integer.parseInt(size[1]));
    }

    public record CursorPosition(int x, int y) {
    }

    public record ScreenSize(int width, int height) {
    }
}

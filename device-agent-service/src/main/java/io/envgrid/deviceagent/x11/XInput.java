package io.envgrid.deviceagent.x11;

import io.envgrid.deviceagent.x11.wire.Requests;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.OptionalInt;
import java.util.PrimitiveIterator;
import java.util.function.Consumer;

/**
 * Real mouse and keyboard input on the display through XTEST FakeInput on the agent's X connection. Keys are
 * named as X keysyms ({@code Return}, {@code a}, {@code plus}; see {@link Keysyms}). Every call returns once the
 * server has processed its events (a round trip), so a screenshot or pointer query that follows sees them.
 */
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

    /** Moves the pointer to (x, y) in screen pixels. */
    public void moveTo(int x, int y) {
        act(s -> s.xtest.motion(s.root, x, y));
    }

    /** Clicks a button {@code count} times, {@code intervalMs} apart. */
    public void click(int button, int count, int intervalMs) {
        for (int i = 0; i < count; i++) {
            if (i > 0 && !pause(intervalMs)) {
                return;
            }
            act(s -> {
                s.xtest.button(button, true);
                s.xtest.button(button, false);
            });
        }
    }

    public void buttonDown(int button) {
        act(s -> s.xtest.button(button, true));
    }

    public void buttonUp(int button) {
        act(s -> s.xtest.button(button, false));
    }

    /** Presses and releases one key, named as a keysym. */
    public void key(String keysym) {
        int code = Keysyms.forName(keysym);
        act(s -> {
            s.key(code, true);
            s.key(code, false);
        });
    }

    /** A chord as pyautogui's hotkey plays it: keys down in order, then up in reverse order. */
    public void chord(List<String> keysyms) {
        int[] codes = keysyms.stream().mapToInt(Keysyms::forName).toArray();
        act(s -> {
            for (int code : codes) {
                s.key(code, true);
            }
            for (int i = codes.length - 1; i >= 0; i--) {
                s.key(codes[i], false);
            }
        });
    }

    public void keyDown(String keysym) {
        int code = Keysyms.forName(keysym);
        act(s -> s.key(code, true));
    }

    public void keyUp(String keysym) {
        int code = Keysyms.forName(keysym);
        act(s -> s.key(code, false));
    }

    /**
     * Types text into the focused window, any Unicode: each code point is pressed as its keysym (a spare keycode
     * is bound to one the layout lacks), {@code \n} and {@code \r} as Return, {@code \t} as Tab; other control
     * characters are skipped, as pyautogui skips keys it does not know. {@code intervalMs} between characters.
     */
    public void type(String text, int intervalMs) {
        if (intervalMs <= 0) {
            act(s -> text.codePoints().forEach(c -> typeOne(s, c)));
            return;
        }
        PrimitiveIterator.OfInt codePoints = text.codePoints().iterator();
        boolean first = true;
        while (codePoints.hasNext()) {
            int c = codePoints.nextInt();
            if (!first && !pause(intervalMs)) {
                return;
            }
            first = false;
            act(s -> typeOne(s, c));
        }
    }

    /**
     * Waits between two events; false when the thread is interrupted (the program was cancelled), which
     * stops the rest of the input and leaves the interrupt set for the caller.
     */
    private static boolean pause(int millis) {
        if (millis <= 0) {
            return true;
        }
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void typeOne(XSession s, int codePoint) {
        OptionalInt keysym = Keysyms.forCodePoint(codePoint);
        if (keysym.isPresent()) {
            s.key(keysym.getAsInt(), true);
            s.key(keysym.getAsInt(), false);
        }
    }

    /** Where the pointer is, in screen pixels. */
    public CursorPosition cursor() {
        return display.with(s -> {
            Requests.Point at = Requests.pointer(s.connection, s.root);
            return new CursorPosition(at.x(), at.y());
        });
    }

    /** The root window's current size in pixels. */
    public ScreenSize screenSize() {
        return display.with(s -> {
            Requests.Geometry geometry = Requests.geometry(s.connection, s.root);
            return new ScreenSize(geometry.width(), geometry.height());
        });
    }

    /** Sends the events and waits until the server has handled them; an X error among them is thrown. */
    private void act(Consumer<XSession> events) {
        display.with(s -> {
            events.accept(s);
            s.connection.sync();
            return null;
        });
    }

    public record CursorPosition(int x, int y) {
    }

    public record ScreenSize(int width, int height) {
    }
}

package io.envgrid.deviceagent.pyautogui;

import io.envgrid.deviceagent.x11.XInput;
import java.util.List;

/** One validated step of a pyautogui program, ready to act on the display. */
sealed interface DesktopAction {

    void perform(XInput input) throws InterruptedException;

    /** Moves to (x, y) first when given; pyautogui's calls take an optional position. */
    private static void moveIfGiven(XInput input, Integer x, Integer y) {
        if (x != null && y != null) {
            input.moveTo(x, y);
        }
    }

    record MoveTo(int x, int y) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            input.moveTo(x, y);
        }
    }

    record MoveBy(int dx, int dy) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            XInput.CursorPosition at = input.cursor();
            input.moveTo(at.x() + dx, at.y() + dy);
        }
    }

    record Click(Integer x, Integer y, int button, int count, int intervalMs) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            moveIfGiven(input, x, y);
            input.click(button, count, intervalMs);
        }
    }

    record ButtonDown(Integer x, Integer y, int button) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            moveIfGiven(input, x, y);
            input.buttonDown(button);
        }
    }

    record ButtonUp(Integer x, Integer y, int button) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            moveIfGiven(input, x, y);
            input.buttonUp(button);
        }
    }

    /** A drag from the current position to (x, y), or by (x, y) when {@code relative}. */
    record Drag(int x, int y, boolean relative, int button) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            XInput.CursorPosition from = input.cursor();
            input.buttonDown(button);
            input.moveTo(relative ? from.x() + x : x, relative ? from.y() + y : y);
            input.buttonUp(button);
        }
    }

    /** Wheel clicks: positive is up (or right when horizontal), as pyautogui counts them. */
    record Scroll(Integer x, Integer y, int clicks, boolean horizontal) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            moveIfGiven(input, x, y);
            if (clicks != 0) {
                int button = horizontal ? (clicks > 0 ? XInput.WHEEL_RIGHT : XInput.WHEEL_LEFT)
                        : (clicks > 0 ? XInput.WHEEL_UP : XInput.WHEEL_DOWN);
                input.click(button, Math.abs(clicks), 0);
            }
        }
    }

    record TypeText(String text, int intervalMs) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            input.type(text, intervalMs);
        }
    }

    /** Presses each keysym in turn, {@code presses} times over. */
    record PressKeys(List<String> keysyms, int presses, int intervalMs) implements DesktopAction {
        @Override
        public void perform(XInput input) throws InterruptedException {
            for (int round = 0; round < presses; round++) {
                for (String keysym : keysyms) {
                    input.key(keysym);
                    if (intervalMs > 0) {
                        Thread.sleep(intervalMs);
                    }
                }
            }
        }
    }

    record KeyDown(String keysym) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            input.keyDown(keysym);
        }
    }

    record KeyUp(String keysym) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            input.keyUp(keysym);
        }
    }

    record Hotkey(List<String> keysyms) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            input.chord(keysyms);
        }
    }

    record Sleep(long millis) implements DesktopAction {
        @Override
        public void perform(XInput input) throws InterruptedException {
            Thread.sleep(millis);
        }
    }
}

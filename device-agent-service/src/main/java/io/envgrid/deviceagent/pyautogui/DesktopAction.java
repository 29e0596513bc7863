package io.envgrid.deviceagent.pyautogui;

import io.envgrid.deviceagent.x11.XInput;
import java.util.List;

/** One validated step of a pyautogui program, ready to act on the display. */
sealed interface DesktopAction {

    void perform(XInput input) throws InterruptedException;

    /** Moves to the position first unless it is where the pointer is; pyautogui's calls take an optional position. */
    private static void moveIfGiven(XInput input, Position at) {
        if (!at.isHere()) {
            XInput.CursorPosition to = at.resolve(input);
            input.moveTo(to.x(), to.y());
        }
    }

    record MoveTo(Position to) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            moveIfGiven(input, to);
        }
    }

    record MoveBy(int dx, int dy) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            XInput.CursorPosition at = input.cursor();
            input.moveTo(at.x() + dx, at.y() + dy);
        }
    }

    record Click(Position at, int button, int count, int intervalMs) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            moveIfGiven(input, at);
            input.click(button, count, intervalMs);
        }
    }

    record ButtonDown(Position at, int button) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            moveIfGiven(input, at);
            input.buttonDown(button);
        }
    }

    record ButtonUp(Position at, int button) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            moveIfGiven(input, at);
            input.buttonUp(button);
        }
    }

    /**
     * pyautogui's drags: {@code dragTo} to a position (the pointer's own coordinate for one not given), {@code drag}
     * and {@code dragRel} by an offset from where the pointer is. Without {@code mouseDownUp} only the move is made.
     */
    record Drag(Position target, boolean relative, int button, boolean mouseDownUp) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            XInput.CursorPosition from = input.cursor();
            XInput.CursorPosition to = relative
                    ? new XInput.CursorPosition(from.x() + orZero(target.x()), from.y() + orZero(target.y()))
                    : target.resolve(input);
            if (mouseDownUp) {
                input.buttonDown(button);
            }
            input.moveTo(to.x(), to.y());
            if (mouseDownUp) {
                input.buttonUp(button);
            }
        }

        private static int orZero(Integer offset) {
            return offset == null ? 0 : offset;
        }
    }

    /** Wheel clicks: positive is up (or right when horizontal), as pyautogui counts them. */
    record Scroll(Position at, int clicks, boolean horizontal) implements DesktopAction {
        @Override
        public void perform(XInput input) {
            moveIfGiven(input, at);
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

    /** pyautogui's hotkey: keys down in order, then up in reverse order, {@code intervalMs} after each. */
    record Hotkey(List<String> keysyms, int intervalMs) implements DesktopAction {
        @Override
        public void perform(XInput input) throws InterruptedException {
            if (intervalMs == 0) {
                input.chord(keysyms);
                return;
            }
            for (String keysym : keysyms) {
                input.keyDown(keysym);
                Thread.sleep(intervalMs);
            }
            for (int i = keysyms.size() - 1; i >= 0; i--) {
                input.keyUp(keysyms.get(i));
                Thread.sleep(intervalMs);
            }
        }
    }

    record Sleep(long millis) implements DesktopAction {
        @Override
        public void perform(XInput input) throws InterruptedException {
            Thread.sleep(millis);
        }
    }
}

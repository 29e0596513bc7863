package io.envgrid.pyautogui;

import java.util.List;

/**
 * One validated step of a pyautogui program, as data: positions in screen pixels from the top-left corner,
 * buttons as X pointer buttons (1 left, 2 middle, 3 right, 4–7 wheel), keys as X keysyms, intervals in
 * milliseconds. Whoever runs a program (the device agent, on its X display) does so through a {@link Performer},
 * which must handle every kind of step.
 */
public sealed interface DesktopAction {

    /** Hands this step to the performer's method for its kind. */
    void performWith(Performer performer) throws InterruptedException;

    /** The time this step waits on purpose (sleeps and intervals between its events), in milliseconds. */
    default long waitMillis() {
        return 0;
    }

    /** Runs each kind of step; one method per record, so a new kind cannot be left unhandled. */
    interface Performer {
        void moveTo(MoveTo action) throws InterruptedException;

        void moveBy(MoveBy action) throws InterruptedException;

        void click(Click action) throws InterruptedException;

        void buttonDown(ButtonDown action) throws InterruptedException;

        void buttonUp(ButtonUp action) throws InterruptedException;

        void drag(Drag action) throws InterruptedException;

        void scroll(Scroll action) throws InterruptedException;

        void typeText(TypeText action) throws InterruptedException;

        void pressKeys(PressKeys action) throws InterruptedException;

        void keyDown(KeyDown action) throws InterruptedException;

        void keyUp(KeyUp action) throws InterruptedException;

        void hotkey(Hotkey action) throws InterruptedException;

        void sleep(Sleep action) throws InterruptedException;
    }

    /** Moves the pointer to a position; {@link Position#HERE} moves nowhere. */
    record MoveTo(Position to) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.moveTo(this);
        }
    }

    /** Moves the pointer by an offset from where it is. */
    record MoveBy(int dx, int dy) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.moveBy(this);
        }
    }

    /** Moves to {@code at} (unless it is {@link Position#HERE}), then clicks {@code count} times, {@code intervalMs} apart. */
    record Click(Position at, int button, int count, int intervalMs) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.click(this);
        }

        @Override
        public long waitMillis() {
            return (long) intervalMs * Math.max(0, count - 1);
        }
    }

    record ButtonDown(Position at, int button) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.buttonDown(this);
        }
    }

    record ButtonUp(Position at, int button) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.buttonUp(this);
        }
    }

    /**
     * pyautogui's drags: {@code dragTo} to a position (the pointer's own coordinate for one not given), {@code drag}
     * and {@code dragRel} by an offset from where the pointer is ({@code relative}; a missing offset is 0). Without
     * {@code mouseDownUp} only the move is made.
     */
    record Drag(Position target, boolean relative, int button, boolean mouseDownUp) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.drag(this);
        }
    }

    /** Wheel clicks at {@code at}: positive is up (or right when horizontal), as pyautogui counts them. */
    record Scroll(Position at, int clicks, boolean horizontal) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.scroll(this);
        }
    }

    /** Types any Unicode text, {@code intervalMs} between characters. */
    record TypeText(String text, int intervalMs) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.typeText(this);
        }

        @Override
        public long waitMillis() {
            return (long) intervalMs * Math.max(0, text.codePointCount(0, text.length()) - 1);
        }
    }

    /** Presses each keysym in turn, {@code presses} times over, {@code intervalMs} after each press. */
    record PressKeys(List<String> keysyms, int presses, int intervalMs) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.pressKeys(this);
        }

        @Override
        public long waitMillis() {
            return (long) intervalMs * presses * keysyms.size();
        }
    }

    record KeyDown(String keysym) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.keyDown(this);
        }
    }

    record KeyUp(String keysym) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.keyUp(this);
        }
    }

    /** pyautogui's hotkey: keys down in order, then up in reverse order, {@code intervalMs} after each. */
    record Hotkey(List<String> keysyms, int intervalMs) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.hotkey(this);
        }

        @Override
        public long waitMillis() {
            return 2L * intervalMs * keysyms.size();
        }
    }

    /** {@code time.sleep} / {@code pyautogui.sleep}: never negative (the compiler refuses that, as Python does). */
    record Sleep(long millis) implements DesktopAction {
        @Override
        public void performWith(Performer performer) throws InterruptedException {
            performer.sleep(this);
        }

        @Override
        public long waitMillis() {
            return millis;
        }
    }
}

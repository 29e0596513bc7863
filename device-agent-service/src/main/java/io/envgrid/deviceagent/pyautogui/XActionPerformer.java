package io.envgrid.deviceagent.pyautogui;

import io.envgrid.deviceagent.x11.XInput;
import io.envgrid.pyautogui.DesktopAction;
import io.envgrid.pyautogui.Position;

/**
 * Plays compiled pyautogui steps ({@link DesktopAction}, from the shared {@code pyautogui-subset} module) on the X
 * display through {@link XInput}: the one place where the subset's steps meet the display.
 */
final class XActionPerformer implements DesktopAction.Performer {

    private final XInput input;

    XActionPerformer(XInput input) {
        this.input = input;
    }

    /** The absolute position, the pointer's coordinate standing in for each one not given. */
    private XInput.CursorPosition resolve(Position at) {
        if (at.x() != null && at.y() != null) {
            return new XInput.CursorPosition(at.x(), at.y());
        }
        XInput.CursorPosition pointer = input.cursor();
        return new XInput.CursorPosition(at.x() != null ? at.x() : pointer.x(), at.y() != null ? at.y() : pointer.y());
    }

    /** Moves to the position first unless it is where the pointer is; pyautogui's calls take an optional position. */
    private void moveIfGiven(Position at) {
        if (!at.isHere()) {
            XInput.CursorPosition to = resolve(at);
            input.moveTo(to.x(), to.y());
        }
    }

    @Override
    public void moveTo(DesktopAction.MoveTo action) {
        moveIfGiven(action.to());
    }

    @Override
    public void moveBy(DesktopAction.MoveBy action) {
        XInput.CursorPosition at = input.cursor();
        input.moveTo(at.x() + action.dx(), at.y() + action.dy());
    }

    @Override
    public void click(DesktopAction.Click action) {
        moveIfGiven(action.at());
        input.click(action.button(), action.count(), action.intervalMs());
    }

    @Override
    public void buttonDown(DesktopAction.ButtonDown action) {
        moveIfGiven(action.at());
        input.buttonDown(action.button());
    }

    @Override
    public void buttonUp(DesktopAction.ButtonUp action) {
        moveIfGiven(action.at());
        input.buttonUp(action.button());
    }

    @Override
    public void drag(DesktopAction.Drag action) {
        XInput.CursorPosition from = input.cursor();
        Position target = action.target();
        XInput.CursorPosition to = action.relative()
                ? new XInput.CursorPosition(from.x() + orZero(target.x()), from.y() + orZero(target.y()))
                : resolve(target);
        if (action.mouseDownUp()) {
            input.buttonDown(action.button());
        }
        input.moveTo(to.x(), to.y());
        if (action.mouseDownUp()) {
            input.buttonUp(action.button());
        }
    }

    private static int orZero(Integer offset) {
        return offset == null ? 0 : offset;
    }

    @Override
    public void scroll(DesktopAction.Scroll action) {
        moveIfGiven(action.at());
        int clicks = action.clicks();
        if (clicks != 0) {
            int button = action.horizontal() ? (clicks > 0 ? XInput.WHEEL_RIGHT : XInput.WHEEL_LEFT)
                    : (clicks > 0 ? XInput.WHEEL_UP : XInput.WHEEL_DOWN);
            input.click(button, Math.abs(clicks), 0);
        }
    }

    @Override
    public void typeText(DesktopAction.TypeText action) {
        input.type(action.text(), action.intervalMs());
    }

    @Override
    public void pressKeys(DesktopAction.PressKeys action) throws InterruptedException {
        for (int round = 0; round < action.presses(); round++) {
            for (String keysym : action.keysyms()) {
                input.key(keysym);
                if (action.intervalMs() > 0) {
                    Thread.sleep(action.intervalMs());
                }
            }
        }
    }

    @Override
    public void keyDown(DesktopAction.KeyDown action) {
        input.keyDown(action.keysym());
    }

    @Override
    public void keyUp(DesktopAction.KeyUp action) {
        input.keyUp(action.keysym());
    }

    @Override
    public void hotkey(DesktopAction.Hotkey action) throws InterruptedException {
        if (action.intervalMs() == 0) {
            input.chord(action.keysyms());
            return;
        }
        for (String keysym : action.keysyms()) {
            input.keyDown(keysym);
            Thread.sleep(action.intervalMs());
        }
        for (int i = action.keysyms().size() - 1; i >= 0; i--) {
            input.keyUp(action.keysyms().get(i));
            Thread.sleep(action.intervalMs());
        }
    }

    @Override
    public void sleep(DesktopAction.Sleep action) throws InterruptedException {
        Thread.sleep(action.millis());
    }
}

package io.envgrid.deviceagent.pyautogui;

import io.envgrid.deviceagent.x11.XInput;

/**
 * A screen position as pyautogui's calls take it: either coordinate may be None, which means the pointer's current
 * one ({@code moveTo(None, 500)} moves straight down or up). Pixels from the top-left corner.
 */
record Position(Integer x, Integer y) {

    /** Where the pointer is: both coordinates left to the pointer. */
    static final Position HERE = new Position(null, null);

    boolean isHere() {
        return x == null && y == null;
    }

    /** The absolute position, the pointer's coordinate standing in for each one not given. */
    XInput.CursorPosition resolve(XInput input) {
        if (x != null && y != null) {
            return new XInput.CursorPosition(x, y);
        }
        XInput.CursorPosition at = input.cursor();
        return new XInput.CursorPosition(x != null ? x : at.x(), y != null ? y : at.y());
    }
}

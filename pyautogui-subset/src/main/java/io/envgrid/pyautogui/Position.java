package io.envgrid.pyautogui;

/**
 * A screen position as pyautogui's calls take it, in pixels from the top-left corner: either coordinate may be null
 * (Python's None), which means the pointer's current one ({@code moveTo(None, 500)} moves straight down or up).
 */
public record Position(Integer x, Integer y) {

    /** Where the pointer is: both coordinates left to the pointer. */
    public static final Position HERE = new Position(null, null);

    /** True when neither coordinate is given. */
    public boolean isHere() {
        return x == null && y == null;
    }
}

package io.envgrid.pyautogui;

import java.util.List;
import java.util.Map;

/**
 * One call statement of a pyautogui program, e.g. {@code pyautogui.click(10, 20, button='left')}:
 * the dotted function name, literal arguments (Long, Double, String, Boolean, {@link #NONE}, List,
 * or a {@link Name} for references such as {@code pyautogui.easeInQuad}), the statement's text and where it
 * starts ({@code line} and {@code column} from 1). A setting's assignment ({@code pyautogui.PAUSE = 0.5}) is one
 * too, with {@code assignment} set: {@code function} is the setting, its one argument the value.
 */
record PyCall(String function, List<Object> args, Map<String, Object> kwargs, String source, int line, int column,
        boolean assignment) {

    /** {@code line L, column C}, as refusals and warnings name a statement. */
    String where() {
        return "line " + line + ", column " + column;
    }


    /** Python's None (a Java null cannot be told apart from a missing argument). */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** A dotted name used as a value. */
    record Name(String dotted) {
    }
}

package io.envgrid.gateway.desktop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.tool.Schema;
import java.util.Set;

/**
 * OSWorld's computer_13 action space as JSON Schemas, for the {@code computer_13} tool (one case per
 * {@code action_type}) and the {@code desktop.*} action tools alike, so that a malformed action is refused by the
 * one argument check before anything of its request runs, rather than by the vm-controller when its turn comes.
 * Names and parameters are OSWorld's ({@code desktop_env/actions.py}); what is optional is what OSWorld's
 * PythonController (and the vm-controller, which follows it) accepts: MOVE_TO and the clicks without a point, SCROLL
 * with dx, dy or both, x and y only together, num_clicks only with a button or a point. OSWorld's coordinates are
 * floats, so computer_13's are numbers; the screen's own size is the controller's to check. Key names are checked
 * against the shared key table by the tools ({@link KeyParameters}): the table is too large for a useful schema.
 */
final class Computer13Space {

    /** The sixteen action types. */
    static final String[] TYPES = {"MOVE_TO", "CLICK", "MOUSE_DOWN", "MOUSE_UP", "RIGHT_CLICK", "DOUBLE_CLICK",
        "DRAG_TO", "SCROLL", "TYPING", "PRESS", "KEY_DOWN", "KEY_UP", "HOTKEY", "WAIT", "FAIL", "DONE"};

    /** Largest coordinate taken: above any real screen, far below where a number stops being exact. */
    static final long MAX_COORDINATE = 100_000;

    /** Largest scroll, in clicks either way: more than any page needs; a larger one is a mistake, not a scroll. */
    static final long MAX_SCROLL = 1000;

    /** Most keys held at once by a HOTKEY. */
    static final int MAX_HOTKEY_KEYS = 8;

    static final String[] BUTTONS = {"left", "right", "middle"};

    /** The types whose parameters have a required member, so that {@code parameters} itself is required. */
    private static final Set<String> NEED_PARAMETERS = Set.of("DRAG_TO", "SCROLL", "TYPING", "PRESS", "KEY_DOWN",
            "KEY_UP", "HOTKEY");

    private Computer13Space() {
    }

    /** Whether an action of {@code type} cannot go without {@code parameters}. */
    static boolean needsParameters(String type) {
        return NEED_PARAMETERS.contains(type);
    }

    /** The schema of the {@code parameters} of an action of {@code type}: closed, every member bounded. */
    static ObjectNode parameters(String type) {
        Schema s = Schema.object();
        switch (type) {
            case "MOVE_TO", "RIGHT_CLICK", "DOUBLE_CLICK" -> point(s, false);
            case "CLICK" -> click(point(s, false));
            case "MOUSE_DOWN", "MOUSE_UP" -> button(s);
            case "DRAG_TO" -> point(s, true);
            case "SCROLL" -> scroll(s, false);
            case "TYPING" -> typing(s);
            case "PRESS", "KEY_DOWN", "KEY_UP" -> key(s);
            case "HOTKEY" -> keys(s);
            case "WAIT", "FAIL", "DONE" -> {
                // no parameters: OSWorld's controller answers these without acting
            }
            default -> throw new IllegalArgumentException("not a computer_13 action type: " + type);
        }
        return s.build();
    }

    /** x and y as OSWorld sends them (numbers; required, or optional but together). */
    static Schema point(Schema s, boolean mandatory) {
        s.number("x", "Screen x in pixels", mandatory, 0, MAX_COORDINATE)
                .number("y", "Screen y in pixels", mandatory, 0, MAX_COORDINATE);
        return mandatory ? s : s.together("x", "y");
    }

    /** x and y in whole pixels, as the {@code desktop.*} tools take them. */
    static Schema pixels(Schema s, boolean mandatory) {
        s.integer("x", "Screen x in pixels", mandatory, 0, MAX_COORDINATE)
                .integer("y", "Screen y in pixels", mandatory, 0, MAX_COORDINATE);
        return mandatory ? s : s.together("x", "y");
    }

    /** A click's button and clicks over its (optional) point; clicks need a button or a point to go with. */
    static Schema click(Schema s) {
        return button(s).integer("num_clicks", "Clicks (default 1)", false, 1, 3)
                .whenGiven("num_clicks", "button", "x");
    }

    static Schema button(Schema s) {
        return s.enumeration("button", "Mouse button (default left)", false, BUTTONS);
    }

    /** dx and dy in clicks; both required for {@code desktop.scroll}, either for computer_13's SCROLL. */
    static Schema scroll(Schema s, boolean both) {
        s.integer("dx", "Horizontal clicks", both, -MAX_SCROLL, MAX_SCROLL)
                .integer("dy", "Vertical clicks (positive scrolls up)", both, -MAX_SCROLL, MAX_SCROLL);
        return both ? s : s.atLeastOne("dx", "dy");
    }

    static Schema typing(Schema s) {
        return s.text("text", "The text", true);
    }

    static Schema key(Schema s) {
        return s.string("key", "Key name", true);
    }

    static Schema keys(Schema s) {
        return s.stringList("keys", "Key names, held in order and released in reverse", true, MAX_HOTKEY_KEYS);
    }
}

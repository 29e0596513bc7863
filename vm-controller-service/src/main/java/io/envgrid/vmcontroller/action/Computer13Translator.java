package io.envgrid.vmcontroller.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.desktopkeys.Key;
import io.envgrid.desktopkeys.KeyTable;
import io.envgrid.vmcontroller.config.VmControllerConfig;
import io.envgrid.vmcontroller.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Validates a computer_13 action against OSWorld's action space (types, ranges, key names) and
 * turns it into the pyautogui code OSWorld's PythonController.execute_action builds for it.
 * Differences, on purpose: MOVE_TO has no random duration and easing unless configured; key names
 * are those of the shared {@link KeyTable} (aliases such as {@code Page_Up} written as pyautogui's name) and
 * are quoted with Python's repr, which only changes keys (quote, backslash, newline) whose
 * f-string quoting in OSWorld yields broken code; malformed actions are refused instead of
 * raising in the middle of a run or being ignored (DRAG_TO without a target).
 */
@ApplicationScoped
public class Computer13Translator {

    private static final Set<String> BUTTONS = Set.of("left", "right", "middle");
    private static final Set<String> XY = Set.of("x", "y");

    private final VmControllerConfig.Computer13 config;

    public Computer13Translator(VmControllerConfig config) {
        this.config = config.computer13();
    }

    /** Reads {@code "WAIT"}, {@code {"action_type", "parameters": {...}}} or the flat form OSWorld also accepts. */
    public Computer13Action translate(JsonNode action) {
        if (action == null || action.isNull()) {
            throw ApiException.invalidAction("an action is required");
        }
        Computer13Type type = type(action.isTextual() ? action : action.get("action_type"));
        if (type.isLocal()) {
            return new Computer13Action.Local(type);
        }
        if (!action.isObject()) {
            throw ApiException.invalidAction(type + " needs parameters");
        }
        Params p = new Params(type, parameters(action));
        return new Computer13Action.Remote(type, code(type, p));
    }

    private static Computer13Type type(JsonNode node) {
        if (node == null || !node.isTextual()) {
            throw ApiException.invalidAction("action_type is required and must be a string");
        }
        try {
            return Computer13Type.valueOf(node.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidAction("unknown action_type '" + node.asText() + "'");
        }
    }

    private static JsonNode parameters(JsonNode action) {
        JsonNode parameters = action.get("parameters");
        if (parameters != null) {
            if (!parameters.isObject()) {
                throw ApiException.invalidAction("parameters must be an object");
            }
            return parameters;
        }
        ObjectNode flat = action.deepCopy();
        flat.remove("action_type");
        return flat;
    }

    private List<String> code(Computer13Type type, Params p) {
        return switch (type) {
            case MOVE_TO -> {
                p.allow(XY);
                yield List.of(p.isEmpty() ? "pyautogui.moveTo()" : moveTo(p.x(), p.y()));
            }
            case CLICK -> List.of(click(p));
            case MOUSE_DOWN -> List.of(button("pyautogui.mouseDown", p));
            case MOUSE_UP -> List.of(button("pyautogui.mouseUp", p));
            case RIGHT_CLICK -> List.of(atPoint("pyautogui.rightClick", p));
            case DOUBLE_CLICK -> List.of(atPoint("pyautogui.doubleClick", p));
            case DRAG_TO -> {
                p.allow(XY);
                yield List.of("pyautogui.dragTo(" + p.x() + ", " + p.y()
                        + ", duration=1.0, button='left', mouseDownUp=True)");
            }
            case SCROLL -> scroll(p);
            case TYPING -> {
                p.allow(Set.of("text"));
                yield List.of("pyautogui.typewrite(" + PythonLiterals.string(p.text("text")) + ")");
            }
            case PRESS -> List.of(key("pyautogui.press", p));
            case KEY_DOWN -> List.of(key("pyautogui.keyDown", p));
            case KEY_UP -> List.of(key("pyautogui.keyUp", p));
            case HOTKEY -> List.of(hotkey(p));
            case WAIT, FAIL, DONE -> throw new IllegalStateException(type + " is answered without code");
        };
    }

    private String moveTo(String x, String y) {
        return config.moveDurationSeconds()
                .map(d -> "pyautogui.moveTo(" + x + ", " + y + ", " + PythonLiterals.decimal(d) + ", "
                        + config.moveTween() + ")")
                .orElse("pyautogui.moveTo(" + x + ", " + y + ")");
    }

    /** The argument order and the cases are PythonController's: button, then x and y, then clicks. */
    private static String click(Params p) {
        p.allow(Set.of("button", "x", "y", "num_clicks"));
        if (p.isEmpty()) {
            return "pyautogui.click()";
        }
        boolean point = p.hasPoint();
        if (!p.has("button") && !point) {
            throw p.invalid("CLICK with num_clicks needs a button or x and y");
        }
        StringJoiner args = new StringJoiner(", ", "pyautogui.click(", ")");
        if (p.has("button")) {
            args.add("button='" + p.button() + "'");
        }
        if (point) {
            args.add("x=" + p.x()).add("y=" + p.y());
        }
        if (p.has("num_clicks")) {
            args.add("clicks=" + p.numClicks());
        }
        return args.toString();
    }

    private static String button(String function, Params p) {
        p.allow(Set.of("button"));
        return p.isEmpty() ? function + "()" : function + "(button='" + p.button() + "')";
    }

    private static String atPoint(String function, Params p) {
        p.allow(XY);
        return p.isEmpty() ? function + "()" : function + "(x=" + p.x() + ", y=" + p.y() + ")";
    }

    private static List<String> scroll(Params p) {
        p.allow(Set.of("dx", "dy"));
        List<String> code = new ArrayList<>(2);
        if (p.has("dx")) {
            code.add("pyautogui.hscroll(" + p.integer("dx") + ")");
        }
        if (p.has("dy")) {
            code.add("pyautogui.vscroll(" + p.integer("dy") + ")");
        }
        if (code.isEmpty()) {
            throw p.invalid("SCROLL needs dx, dy or both");
        }
        return code;
    }

    private static String key(String function, Params p) {
        p.allow(Set.of("key"));
        return function + "(" + PythonLiterals.string(p.key(p.text("key"))) + ")";
    }

    private static String hotkey(Params p) {
        p.allow(Set.of("keys"));
        JsonNode keys = p.node("keys");
        if (!keys.isArray() || keys.isEmpty()) {
            throw p.invalid("keys must be a non-empty list of key names");
        }
        StringJoiner args = new StringJoiner(", ", "pyautogui.hotkey(", ")");
        for (JsonNode key : keys) {
            if (!key.isTextual()) {
                throw p.invalid("keys must be a non-empty list of key names");
            }
            args.add(PythonLiterals.string(p.key(key.asText())));
        }
        return args.toString();
    }

    /** The parameters of one action, with the checks of OSWorld's action space. */
    private final class Params {
        private final Computer13Type type;
        private final JsonNode node;

        Params(Computer13Type type, JsonNode node) {
            this.type = type;
            this.node = node;
        }

        void allow(Set<String> names) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!names.contains(name)) {
                    throw invalid("unknown parameter '" + name + "'; allowed: " + names);
                }
            }
        }

        boolean isEmpty() {
            return node.isEmpty();
        }

        boolean has(String name) {
            return node.has(name);
        }

        JsonNode node(String name) {
            JsonNode value = node.get(name);
            if (value == null || value.isNull()) {
                throw invalid("parameter '" + name + "' is required");
            }
            return value;
        }

        boolean hasPoint() {
            if (has("x") != has("y")) {
                throw invalid("x and y go together");
            }
            return has("x");
        }

        String x() {
            hasPoint();
            return coordinate("x", config.screenWidth());
        }

        String y() {
            return coordinate("y", config.screenHeight());
        }

        /** A float in [0, max], written as OSWorld's f-string writes the JSON number it got. */
        private String coordinate(String name, int max) {
            JsonNode value = node(name);
            if (!value.isNumber() || value.asDouble() < 0 || value.asDouble() > max) {
                throw invalid(name + " must be a number from 0 to " + max);
            }
            return value.isIntegralNumber() ? value.asText() : PythonLiterals.decimal(value.asDouble());
        }

        String integer(String name) {
            JsonNode value = node(name);
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw invalid(name + " must be an integer");
            }
            return value.asText();
        }

        String numClicks() {
            String clicks = integer("num_clicks");
            if (!Set.of("1", "2", "3").contains(clicks)) {
                throw invalid("num_clicks must be 1, 2 or 3");
            }
            return clicks;
        }

        String button() {
            String button = text("button");
            if (!BUTTONS.contains(button)) {
                throw invalid("button must be one of left, right, middle");
            }
            return button;
        }

        String text(String name) {
            JsonNode value = node(name);
            if (!value.isTextual()) {
                throw invalid(name + " must be a string");
            }
            return value.asText();
        }

        /** pyautogui's name for a key of the shared table (an alias such as {@code Page_Up} becomes {@code pageup}). */
        String key(String name) {
            return KeyTable.lookup(name).map(Key::name).orElseThrow(() -> invalid("'" + name
                    + "' is not a key name of the computer_13 action space (pyautogui's KEYBOARD_KEYS) nor an alias"
                    + " of one"));
        }

        ApiException invalid(String message) {
            return ApiException.invalidAction(type + ": " + message);
        }
    }
}

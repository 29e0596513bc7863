package io.envgrid.pyautogui;

import io.envgrid.desktopkeys.Key;
import io.envgrid.desktopkeys.KeyTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A call's arguments bound to parameter names, with typed reads that refuse what pyautogui would not take. Key names
 * pyautogui would silently ignore are ignored too, each with a warning for the caller.
 */
final class Arguments {

    private final Map<String, Object> values;
    private final PyCall call;
    private final List<String> warnings;

    private Arguments(Map<String, Object> values, PyCall call, List<String> warnings) {
        this.values = values;
        this.call = call;
        this.warnings = warnings;
    }

    /** Binds as Python does; {@code warnings} collects what pyautogui would silently skip. */
    static Arguments bind(PyCall call, List<String> parameters, List<String> warnings) {
        Map<String, Object> values = new HashMap<>();
        boolean variadic = !parameters.isEmpty() && parameters.get(0).startsWith("*");
        if (variadic) {
            values.put(parameters.get(0), new ArrayList<>(call.args()));
        } else {
            if (call.args().size() > parameters.size()) {
                throw new PythonSubsetException("takes at most " + parameters.size() + " positional arguments");
            }
            for (int i = 0; i < call.args().size(); i++) {
                values.put(parameters.get(i), call.args().get(i));
            }
        }
        call.kwargs().forEach((name, value) -> {
            if (!parameters.contains(name) || name.startsWith("*")) {
                throw new PythonSubsetException("unexpected keyword argument '" + name + "'");
            }
            if (values.put(name, value) != null) {
                throw new PythonSubsetException("got multiple values for argument '" + name + "'");
            }
        });
        return new Arguments(values, call, warnings);
    }

    private boolean absent(String name) {
        Object value = values.get(name);
        return value == null || value == PyCall.NONE;
    }

    Object required(String name) {
        if (absent(name)) {
            throw new PythonSubsetException("missing argument '" + name + "'");
        }
        return values.get(name);
    }

    double number(String name, Double fallback) {
        if (absent(name)) {
            if (fallback == null) {
                throw new PythonSubsetException("missing argument '" + name + "'");
            }
            return fallback;
        }
        Object value = values.get(name);
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Double d && Double.isFinite(d)) {
            return d;
        }
        throw new PythonSubsetException("'" + name + "' must be a number");
    }

    long integer(String name, Long fallback, long min, long max) {
        double value = number(name, fallback == null ? null : fallback.doubleValue());
        if (value != Math.rint(value) || value < min || value > max) {
            throw new PythonSubsetException("'" + name + "' must be a whole number from " + min + " to " + max);
        }
        return (long) value;
    }

    /** A whole number as Python's {@code int()} makes one (towards zero), as pyautogui's scroll reads its clicks. */
    int truncated(String name, int limit) {
        double value = number(name, null);
        if (Math.abs(value) > limit) {
            throw new PythonSubsetException("'" + name + "' must be from " + -limit + " to " + limit);
        }
        return (int) value;
    }

    /** True or False; {@code fallback} when absent. */
    boolean flag(String name, boolean fallback) {
        if (absent(name)) {
            return fallback;
        }
        if (!(values.get(name) instanceof Boolean value)) {
            throw new PythonSubsetException("'" + name + "' must be True or False");
        }
        return value;
    }

    /** Seconds as milliseconds (intervals); 0 when absent. */
    int millis(String name) {
        double seconds = number(name, 0.0);
        if (seconds < 0 || seconds > 60) {
            throw new PythonSubsetException("'" + name + "' must be from 0 to 60 seconds");
        }
        return (int) Math.round(seconds * 1000);
    }

    /**
     * (x, y) from two parameters, or from a pair (tuple or list) passed as the first; a coordinate that is None or
     * not given is the pointer's ({@link Position#HERE} when neither is given), as pyautogui reads them.
     */
    Position point(String xName, String yName) {
        Object x = values.get(xName);
        if (x instanceof List<?> pair) {
            if (pair.size() != 2 || !absent(yName)) {
                throw new PythonSubsetException("'" + xName + "' as a pair must be (x, y)");
            }
            return new Position(optionalCoordinate(xName, pair.get(0)), optionalCoordinate(yName, pair.get(1)));
        }
        return new Position(optionalCoordinate(xName, x), optionalCoordinate(yName, values.get(yName)));
    }

    /** An offset pair (moveRel, drag): a missing or None offset is 0. */
    int[] offset(String xName, String yName) {
        Position p = point(xName, yName);
        return new int[] {p.x() == null ? 0 : p.x(), p.y() == null ? 0 : p.y()};
    }

    private static Integer optionalCoordinate(String name, Object value) {
        return value == null || value == PyCall.NONE ? null : coordinate(name, value);
    }

    private static int coordinate(String name, Object value) {
        double v;
        if (value instanceof Long l) {
            v = l;
        } else if (value instanceof Double d && Double.isFinite(d)) {
            v = d;
        } else {
            throw new PythonSubsetException("'" + name + "' must be a number");
        }
        if (Math.abs(v) > 100_000) {
            throw new PythonSubsetException("'" + name + "' is far outside any screen");
        }
        // pyautogui reads every coordinate and offset with int(): towards zero (100.7 is 100, -0.5 is 0), as a cast does
        return (int) v;
    }

    /** pyautogui's button names as X pointer buttons. */
    int button(String name, int fallback) {
        if (absent(name)) {
            return fallback;
        }
        if (values.get(name) instanceof Long number && number >= 1 && number <= 7) {
            return number.intValue(); // pyautogui's X11 backend takes X button numbers too
        }
        if (!(values.get(name) instanceof String button)) {
            throw new PythonSubsetException("'" + name + "' must be a button name or an X button number 1 to 7");
        }
        return switch (button.toLowerCase(Locale.ROOT)) {
            case "left", "primary" -> 1;
            case "middle" -> 2;
            case "right", "secondary" -> 3;
            default -> throw new PythonSubsetException("unknown button '" + button + "'");
        };
    }

    /** A key's keysym; empty (with a warning) for a key pyautogui would skip: unknown to it, or no X key. */
    Optional<String> key(String name) {
        Object key = required(name);
        if (!(key instanceof String text)) {
            throw new PythonSubsetException("'" + name + "' must be a key name");
        }
        return keysym(text);
    }

    /** One key name or a list of them, each as {@link #key}; the keys pyautogui would skip are left out. */
    List<String> keys(String name) {
        Object keys = required(name);
        List<?> names = keys instanceof List<?> list ? list : List.of(keys);
        List<String> keysyms = new ArrayList<>();
        for (Object key : names) {
            if (!(key instanceof String text)) {
                throw new PythonSubsetException("'" + name + "' must hold key names");
            }
            keysym(text).ifPresent(keysyms::add);
        }
        return keysyms;
    }

    private Optional<String> keysym(String name) {
        Optional<Key> key = KeyTable.lookup(name);
        if (key.isEmpty()) {
            warnings.add(call.where() + ": pyautogui ignores the unknown key name " + quoted(name)
                    + "; nothing was pressed for it");
            return Optional.empty();
        }
        if (key.get().keysym().isEmpty()) {
            warnings.add(call.where() + ": key " + quoted(name) + " has no X keysym (pyautogui presses"
                    + " nothing for it on X11); nothing was pressed for it");
        }
        return key.get().keysym();
    }

    /** A key name as the warning shows it: quoted, control characters as escapes so the message stays one line. */
    private static String quoted(String name) {
        StringBuilder text = new StringBuilder("'");
        name.codePoints().forEach(c -> text.append(Character.isISOControl(c) ? String.format("\\x%02x", c)
                : new String(Character.toChars(c))));
        return text.append('\'').toString();
    }
}

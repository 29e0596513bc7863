package io.envgrid.deviceagent.pyautogui;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A call's arguments bound to parameter names, with typed reads that refuse what pyautogui would not take. */
final class Arguments {

    private final Map<String, Object> values;

    private Arguments(Map<String, Object> values) {
        this.values = values;
    }

    static Arguments bind(PyCall call, List<String> parameters) {
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
        return new Arguments(values);
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

    /** Seconds as milliseconds (intervals); 0 when absent. */
    int millis(String name) {
        double seconds = number(name, 0.0);
        if (seconds < 0 || seconds > 60) {
            throw new PythonSubsetException("'" + name + "' must be from 0 to 60 seconds");
        }
        return (int) Math.round(seconds * 1000);
    }

    /** (x, y) from two parameters, or from a pair passed as the first; null when neither is given. */
    int[] point(String xName, String yName) {
        if (absent(xName) && absent(yName)) {
            return null;
        }
        Object x = values.get(xName);
        if (x instanceof List<?> pair) {
            if (pair.size() != 2 || !absent(yName)) {
                throw new PythonSubsetException("'" + xName + "' as a pair must be (x, y)");
            }
            return new int[] {coordinate(xName, pair.get(0)), coordinate(xName, pair.get(1))};
        }
        if (absent(xName) || absent(yName)) {
            throw new PythonSubsetException("'" + xName + "' and '" + yName + "' go together");
        }
        return new int[] {coordinate(xName, x), coordinate(yName, values.get(yName))};
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
        return (int) Math.round(v);
    }

    /** pyautogui's button names as X pointer buttons. */
    int button(String name, int fallback) {
        if (absent(name)) {
            return fallback;
        }
        if (!(values.get(name) instanceof String button)) {
            throw new PythonSubsetException("'" + name + "' must be a string");
        }
        return switch (button.toLowerCase(Locale.ROOT)) {
            case "left", "primary" -> 1;
            case "middle" -> 2;
            case "right", "secondary" -> 3;
            default -> throw new PythonSubsetException("unknown button '" + button + "'");
        };
    }

    String key(String name) {
        Object key = required(name);
        if (!(key instanceof String text)) {
            throw new PythonSubsetException("'" + name + "' must be a key name");
        }
        return KeyNames.keysym(text).orElseThrow(() -> new PythonSubsetException("unknown key '" + text + "'"));
    }

    /** One key name or a list of them. */
    List<String> keys(String name) {
        Object keys = required(name);
        List<?> names = keys instanceof List<?> list ? list : List.of(keys);
        if (names.isEmpty()) {
            throw new PythonSubsetException("'" + name + "' names no key");
        }
        List<String> keysyms = new ArrayList<>();
        for (Object key : names) {
            if (!(key instanceof String text)) {
                throw new PythonSubsetException("'" + name + "' must hold key names");
            }
            keysyms.add(KeyNames.keysym(text).orElseThrow(() -> new PythonSubsetException("unknown key '" + text + "'")));
        }
        return keysyms;
    }
}

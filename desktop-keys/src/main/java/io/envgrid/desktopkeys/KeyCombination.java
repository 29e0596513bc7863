package io.envgrid.desktopkeys;

import java.util.ArrayList;
import java.util.List;

/**
 * Key combinations as agents write them for a {@code key} action: key names joined by {@code +}
 * ({@code "ctrl+shift+t"}, {@code "Return"}). The separator is also a key: where a key is expected, a
 * {@code +} is the plus key, so {@code "ctrl++"} is ctrl with plus, {@code "ctrl+shift++"} ctrl, shift and
 * plus, and {@code "+"} alone the plus key. Blanks around names are dropped; a lone blank is the space key.
 */
public final class KeyCombination {

    private KeyCombination() {
    }

    /**
     * The keys of a combination in the order given, each resolved through {@link KeyTable#lookup}.
     *
     * @throws IllegalArgumentException for an empty combination, an empty part ({@code "ctrl+"},
     *                                  {@code "a++b"}) or a name outside the table; the message says which
     */
    public static List<Key> parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a key combination names at least one key, e.g. ctrl+c");
        }
        if (text.isBlank()) {
            return List.of(resolve(text.length() == 1 ? text : " "));
        }
        List<Key> keys = new ArrayList<>();
        int at = 0;
        while (true) {
            int end;
            if (text.charAt(at) == '+') {
                end = at + 1; // a key expected, and a '+' there: the plus key itself
            } else {
                end = text.indexOf('+', at);
                end = end < 0 ? text.length() : end;
            }
            String name = text.substring(at, end).strip();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' has an empty key name at position " + at);
            }
            keys.add(resolve(name));
            if (end == text.length()) {
                return keys;
            }
            if (text.charAt(end) != '+') {
                throw new IllegalArgumentException("'" + text + "': expected '+' after '" + name + "'");
            }
            at = end + 1;
            if (at == text.length()) {
                throw new IllegalArgumentException("'" + text + "' ends with '+' but names no key after it"
                        + " (the plus key after a modifier is written ctrl++)");
            }
            // a blank run before the next name belongs to that name, and is stripped with it
        }
    }

    private static Key resolve(String name) {
        return KeyTable.lookup(name).orElseThrow(() -> new IllegalArgumentException("unknown key '" + name
                + "'; key names are pyautogui's (enter, ctrl, pageup, f5, a, +) or xdotool's (Return, Control_L,"
                + " Page_Up, minus)"));
    }
}

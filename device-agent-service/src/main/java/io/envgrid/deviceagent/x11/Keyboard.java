package io.envgrid.deviceagent.x11;

import io.envgrid.deviceagent.x11.wire.Requests;
import io.envgrid.deviceagent.x11.wire.X11Connection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which keycode to press for a keysym on one connection, xdotool's way: a keysym the layout has in group 1 is its
 * keycode (with Shift for the second column, NumLock for a keypad key's); any other — a letter of another script, an emoji, a combining mark —
 * is bound to a spare keycode (one the server maps to nothing) with ChangeKeyboardMapping and pressed there. The
 * server's mapping is read again after every MappingNotify (ours included), so a layout switch is followed.
 *
 * <p>A binding is restored to NoSymbol only when its keycode is needed for another keysym (least recently used
 * first) or at {@link #restore()}, not right after the press as xdotool does: clients translate a key event with the
 * mapping they fetch when they read the event, so restoring at once races them and turns late-read characters into
 * nothing or into the next character (xdotool's known lost and wrong characters under load).
 */
final class Keyboard {

    private static final int SHIFT = 0;
    private static final int NUM_LOCK_KEYSYM = 0xff7f;
    private static final int LOWEST_SLOT = 9;
    private static final int[] NO_SYMBOL = {0, 0};

    private final X11Connection connection;
    private Requests.KeyboardMapping mapping;
    private int shiftKeycode;
    /** Num_Lock's keycode and the modifier bit it locks (0 when the keyboard has none). */
    private int numLockKeycode;
    private int numLockMask;
    /** Keycodes with no keysym when the connection opened: the slots bindings may use. */
    private final List<Integer> spare = new ArrayList<>();
    /** keysym → spare keycode bound to it, least recently used first. */
    private final LinkedHashMap<Integer, Integer> bound = new LinkedHashMap<>(16, 0.75f, true);

    Keyboard(X11Connection connection) {
        this.connection = connection;
        load();
        int first = connection.setup().minKeycode();
        // keycode 8 is never a slot: XKB servers keep it out of the keymap, so a binding there types nothing
        for (int keycode = Math.max(first, LOWEST_SLOT); keycode < first + mapping.count(); keycode++) {
            boolean empty = true;
            for (int column = 0; column < mapping.perKeycode(); column++) {
                empty &= mapping.keysym(keycode, column) == 0;
            }
            if (empty) {
                spare.add(keycode);
            }
        }
    }

    /** The keycode for a keysym and what must be in effect for it; binds a spare keycode when needed. */
    Stroke stroke(int keysym) {
        if (connection.takeMappingChanged()) {
            load();
        }
        int first = mapping.first();
        for (int column = 0; column < 2; column++) {
            for (int keycode = first; keycode < first + mapping.count(); keycode++) {
                if (mapping.keysym(keycode, column) == keysym) {
                    return new Stroke(keycode, column == 0 || keycode == shiftKeycode ? Level.PLAIN
                            : Keysyms.isKeypad(keysym) && numLockKeycode != 0 ? Level.NUM_LOCK : Level.SHIFT);
                }
            }
        }
        // our own bindings are not in the mapping read before them; the release must find the press's keycode
        Integer slot = bound.get(keysym);
        return new Stroke(slot != null ? slot : bind(keysym), Level.PLAIN);
    }

    /** Gives every bound keycode back its NoSymbol. */
    void restore() {
        for (int keycode : bound.values()) {
            Requests.changeKeyboardMapping(connection, keycode, 2, NO_SYMBOL);
        }
        bound.clear();
        connection.sync();
    }

    private int bind(int keysym) {
        Integer keycode = null;
        for (int candidate : spare) {
            if (!bound.containsValue(candidate)) {
                keycode = candidate;
                break;
            }
        }
        if (keycode == null) {
            if (bound.isEmpty()) {
                throw new X11Exception.Unsupported("the keyboard mapping has no spare keycode to bind keysym 0x"
                        + Integer.toHexString(keysym) + " to");
            }
            Iterator<Map.Entry<Integer, Integer>> oldest = bound.entrySet().iterator();
            keycode = oldest.next().getValue();
            oldest.remove();
        }
        // both columns, so Shift held by someone else still types this keysym
        Requests.changeKeyboardMapping(connection, keycode, 2, new int[] {keysym, keysym});
        bound.put(keysym, keycode);
        return keycode;
    }

    private void load() {
        int first = connection.setup().minKeycode();
        mapping = Requests.keyboardMapping(connection, first, connection.setup().maxKeycode() - first + 1);
        int[][] modifiers = Requests.modifierMapping(connection);
        shiftKeycode = modifiers[SHIFT][0];
        numLockKeycode = 0;
        numLockMask = 0;
        for (int m = 0; m < modifiers.length; m++) {
            for (int keycode : modifiers[m]) {
                if (keycode != 0 && mapping.keysym(keycode, 0) == NUM_LOCK_KEYSYM) {
                    numLockKeycode = keycode;
                    numLockMask = 1 << m;
                }
            }
        }
        // a binding someone else overwrote is gone; look keysyms up afresh
        bound.entrySet().removeIf(e -> mapping.keysym(e.getValue(), 0) != e.getKey());
    }

    int shiftKeycode() {
        return shiftKeycode;
    }

    int numLockKeycode() {
        return numLockKeycode;
    }

    /** The modifier bit NumLock sets in QueryPointer's mask when locked. */
    int numLockMask() {
        return numLockMask;
    }

    /**
     * Which column of its keycode a keysym is in, and so what must be in effect while it is pressed: nothing, Shift
     * held, or NumLock locked (a keypad keysym in the second column: the core protocol reads the keypad's second
     * column under NumLock, not Shift — X Window System Protocol, section 5, "Keyboards").
     */
    enum Level {
        PLAIN, SHIFT, NUM_LOCK
    }

    /**
     * What to press.
     *
     * @param keycode the keycode that carries the keysym
     * @param level what must be in effect while it is pressed
     */
    record Stroke(int keycode, Level level) {
    }
}

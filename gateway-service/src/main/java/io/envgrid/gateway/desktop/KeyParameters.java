package io.envgrid.gateway.desktop;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.desktopkeys.Key;
import io.envgrid.desktopkeys.KeyTable;
import io.envgrid.gateway.error.ToolFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * The key names of the {@code desktop.press}, {@code key_down}, {@code key_up} and {@code hotkey} tools, read with the
 * shared {@link KeyTable} as the {@code computer} tool reads its {@code key} action: each name (pyautogui's or an alias
 * agents send, {@code Return}, {@code Page_Up}, {@code minus}) becomes pyautogui's name for it, and a name outside
 * the table is refused with {@code 400 INVALID_PARAMETERS} before anything is sent. pyautogui itself would press
 * nothing for such a name and say nothing; both doors of the gateway refuse it instead, so that an agent learns of
 * its typo rather than believing the key went down. A press names one key: {@code "ctrl+c"} there is no key (the
 * combination belongs in {@code hotkey}, or in {@code computer}'s {@code key}).
 */
final class KeyParameters {

    private KeyParameters() {
    }

    /**
     * {@code parameters} of a computer_13 action with its key names replaced by pyautogui's; other actions unchanged.
     *
     * @throws ToolFailure 400 naming the first unknown key
     */
    static ObjectNode normalise(String actionType, ObjectNode parameters) {
        switch (actionType) {
            case "PRESS", "KEY_DOWN", "KEY_UP" -> parameters.put("key", one(parameters.path("key").asText()).name());
            case "HOTKEY" -> {
                List<Key> keys = new ArrayList<>();
                parameters.path("keys").forEach(k -> keys.add(one(k.asText())));
                ArrayNode names = parameters.putArray("keys");
                keys.forEach(k -> names.add(k.name()));
            }
            default -> {
                // no key names in the other actions
            }
        }
        return parameters;
    }

    private static Key one(String name) {
        return KeyTable.lookup(name).orElseThrow(() -> ToolFailure.invalid("unknown key '" + name
                + "': keys are pyautogui's KEYBOARD_KEYS names or their common aliases (enter, Return, ctrl, Page_Up,"
                + " minus); a combination is a hotkey [\"ctrl\", \"c\"]"));
    }
}

package io.envgrid.gateway.desktop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.desktopkeys.Key;
import io.envgrid.desktopkeys.KeyTable;
import io.envgrid.gateway.error.ToolFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
     * @param tool the tool whose arguments these are, named in a refusal
     * @throws ToolFailure 400 {@code INVALID_PARAMETERS} naming the argument ({@code key} or {@code keys}) and the
     *     first unknown key
     */
    static ObjectNode normalise(String tool, String actionType, ObjectNode parameters) {
        switch (actionType) {
            case "PRESS", "KEY_DOWN", "KEY_UP" -> parameters.put("key", one(tool, "key", parameters.path("key").asText()).name());
            case "HOTKEY" -> {
                List<Key> keys = new ArrayList<>();
                parameters.path("keys").forEach(k -> keys.add(one(tool, "keys", k.asText())));
                ArrayNode names = parameters.putArray("keys");
                keys.forEach(k -> names.add(k.name()));
            }
            default -> {
                // no key names in the other actions
            }
        }
        return parameters;
    }

    /**
     * The first key name of a computer_13 action's {@code parameters} that the shared table does not know, if any:
     * {@code key} of PRESS, KEY_DOWN and KEY_UP, each of HOTKEY's {@code keys}; names that are not strings, and
     * other action types, are not looked at.
     */
    static Optional<String> unknownKey(String actionType, JsonNode parameters) {
        List<JsonNode> names = new ArrayList<>();
        switch (actionType) {
            case "PRESS", "KEY_DOWN", "KEY_UP" -> names.add(parameters.path("key"));
            case "HOTKEY" -> parameters.path("keys").forEach(names::add);
            default -> {
                // no key names in the other actions
            }
        }
        return names.stream().filter(JsonNode::isTextual).map(JsonNode::asText)
                .filter(name -> KeyTable.lookup(name).isEmpty()).findFirst();
    }

    /** Why {@code name} is refused, as the refusal says it. */
    static String unknownKeyProblem(String name) {
        return "unknown key '" + name + "': keys are pyautogui's KEYBOARD_KEYS names or their common aliases (enter,"
                + " Return, ctrl, Page_Up, minus); a combination is a hotkey [\"ctrl\", \"c\"]";
    }

    private static Key one(String tool, String argument, String name) {
        return KeyTable.lookup(name).orElseThrow(() -> ToolFailure.invalidArgument(tool, argument, unknownKeyProblem(name)));
    }
}

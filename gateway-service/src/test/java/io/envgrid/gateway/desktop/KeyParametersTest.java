package io.envgrid.gateway.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.desktopkeys.Key;
import io.envgrid.desktopkeys.KeyTable;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.tool.Args;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code desktop.press}/{@code key_down}/{@code key_up}/{@code hotkey} read key names with the shared table, as the
 * {@code computer} tool's {@code key} action does: the same names are accepted, each becomes the same pyautogui name
 * through both doors, and what one door refuses the other refuses too.
 */
class KeyParametersTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static String press(String type, String key) {
        return KeyParameters.normalise("desktop.press", type, NODES.objectNode().put("key", key)).path("key").asText();
    }

    private static List<String> hotkey(String... keys) {
        ObjectNode parameters = NODES.objectNode();
        for (String k : keys) {
            parameters.withArray("keys").add(k);
        }
        List<String> out = new ArrayList<>();
        KeyParameters.normalise("desktop.hotkey", "HOTKEY", parameters).path("keys").forEach(k -> out.add(k.asText()));
        return out;
    }

    /** What the computer tool sends for {@code {"action":"key","text":name}}: the pyautogui name pressed. */
    private static String computerKey(String name) {
        ObjectNode step = ComputerActions.translate("key", Args.of(NODES.objectNode().put("text", name))).get(0);
        return step.path("parameters").path("key").asText();
    }

    @Test
    void everyNameAndAliasBecomesThePyautoguiNameTheComputerToolPresses() {
        List<String> names = new ArrayList<>();
        KeyTable.keys().forEach(k -> names.add(k.name()));
        names.addAll(KeyTable.aliases().keySet());
        int checked = 0;
        for (String name : names) {
            if (name.isBlank() || name.contains("+")) {
                continue; // blanks and '+' are spelled differently in a combination; covered below
            }
            String expected = KeyTable.lookup(name).map(Key::name).orElseThrow();
            for (String type : List.of("PRESS", "KEY_DOWN", "KEY_UP")) {
                assertEquals(expected, press(type, name), type + " " + name);
            }
            assertEquals(List.of(expected), hotkey(name), "hotkey " + name);
            assertEquals(expected, computerKey(name), "both doors press the same key for " + name);
            checked++;
        }
        assertTrue(checked > 200, "the whole table was walked: " + checked);
        assertEquals("+", press("PRESS", "+"));
        assertEquals(" ", press("PRESS", " "), "pyautogui names the space key \" \" as well as space");
    }

    @Test
    void hotkeysKeepTheirOrderAndTakeAliases() {
        assertEquals(List.of("ctrl", "shift", "pageup"), hotkey("ctrl", "Shift", "Page_Up"));
        assertEquals(List.of("ctrl", "+"), hotkey("ctrl", "+"));
        assertEquals(List.of("ctrl", "-"), hotkey("ctrl", "minus"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ctrl+c", "notakey", "Ctrl_X", "", "f99", "\u00e9t\u00e9"})
    void unknownKeysAreRefusedByEveryKeyToolAsByTheComputerTool(String name) {
        for (String type : List.of("PRESS", "KEY_DOWN", "KEY_UP")) {
            ToolFailure refused = assertThrows(ToolFailure.class, () -> press(type, name), type + " " + name);
            assertEquals(400, refused.status());
        }
        ToolFailure refused = assertThrows(ToolFailure.class, () -> hotkey("ctrl", name));
        assertEquals(400, refused.status());
        if (!name.contains("+")) {
            assertThrows(ToolFailure.class, () -> computerKey(name), "the computer tool refuses " + name + " too");
        }
    }

    @Test
    void otherActionsAreLeftAlone() {
        ObjectNode click = NODES.objectNode().put("x", 1).put("y", 2).put("button", "left");
        assertEquals(click, KeyParameters.normalise("desktop.click", "CLICK", click.deepCopy()));
    }
}

package io.envgrid.gateway.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.desktopkeys.Key;
import io.envgrid.desktopkeys.KeyTable;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.tool.Args;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code computer} tool's {@code key} action accepts exactly the shared key table, and every combination
 * becomes the computer_13 PRESS or HOTKEY with pyautogui's names — the call pyautogui would make.
 */
class ComputerKeysTest {

    private static JsonNode key(String text) {
        List<ObjectNode> actions = ComputerActions.translate("key",
                Args.of(JsonNodeFactory.instance.objectNode().put("text", text)));
        assertEquals(1, actions.size());
        return actions.get(0);
    }

    private static List<String> hotkey(String text) {
        JsonNode action = key(text);
        List<String> names = new ArrayList<>();
        if (action.path("action_type").asText().equals("PRESS")) {
            names.add(action.path("parameters").path("key").asText());
        } else {
            assertEquals("HOTKEY", action.path("action_type").asText());
            action.path("parameters").path("keys").forEach(k -> names.add(k.asText()));
        }
        return names;
    }

    @Test
    void everyNameAndAliasOfTheTableIsOneKeyPress() {
        for (Key key : KeyTable.keys()) {
            if (!key.name().isBlank()) {
                assertEquals(List.of(key.name()), hotkey(key.name()), key.name());
            }
        }
        for (Map.Entry<String, String> alias : KeyTable.aliases().entrySet()) {
            if (!alias.getKey().isBlank()) {
                assertEquals(List.of(alias.getValue()), hotkey(alias.getKey()), alias.getKey());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ctrl++          | ctrl +",
        "ctrl+shift++    | ctrl shift +",
        "+               | +",
        "ctrl+minus      | ctrl -",
        "ctrl+plus       | ctrl +",
        "ctrl+=          | ctrl =",
        "Return          | return",
        "ctrl+c          | ctrl c",
        "Control_L+Page_Up | ctrlleft pageup",
        "super+e         | winleft e",
        "alt + F4        | alt f4",
        "KP_Add          | add",
        "num0            | num0",
    })
    void combinationsBecomePyautoguisHotkey(String text, String names) {
        assertEquals(List.of(names.split(" ")), hotkey(text));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ctrl+", "++", "ctrl+nokey", "ä", "ctrl+ +"})
    void anythingElseIs400(String text) {
        ToolFailure failure = assertThrows(ToolFailure.class, () -> key(text));
        assertEquals(400, failure.status());
    }
}

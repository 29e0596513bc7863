package io.envgrid.vmcontroller.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.desktopkeys.Key;
import io.envgrid.desktopkeys.KeyTable;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The vm-controller accepts exactly the shared key table: every name and alias of {@link KeyTable} becomes the
 * pyautogui call with pyautogui's name for it, and nothing outside the table is accepted.
 */
@QuarkusTest
@WithRedis
class KeyNamesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Computer13Translator translator;

    private List<String> press(String type, String key) {
        ObjectNode action = JSON.createObjectNode().put("action_type", type);
        action.putObject("parameters").put("key", key);
        return ((Computer13Action.Remote) translator.translate(action)).code();
    }

    @Test
    void everyNameOfTheTableIsAKey() {
        for (Key key : KeyTable.keys()) {
            String literal = PythonLiterals.string(key.name());
            assertEquals(List.of("pyautogui.press(" + literal + ")"), press("PRESS", key.name()), key.name());
            assertEquals(List.of("pyautogui.keyUp(" + literal + ")"), press("KEY_UP", key.name()), key.name());
        }
    }

    @Test
    void everyAliasBecomesPyautoguisName() {
        for (Map.Entry<String, String> alias : KeyTable.aliases().entrySet()) {
            assertEquals(List.of("pyautogui.keyDown(" + PythonLiterals.string(alias.getValue()) + ")"),
                    press("KEY_DOWN", alias.getKey()), alias.getKey());
        }
    }

    @Test
    void nothingOutsideTheTableIsAKey() {
        for (String name : new String[] {"ä", "f25", "ctrl+c", "Return ", "page up", "", "KP_Home"}) {
            assertThrows(ApiException.class, () -> press("PRESS", name), name);
        }
    }
}

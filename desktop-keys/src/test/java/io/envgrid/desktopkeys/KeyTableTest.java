package io.envgrid.desktopkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyTableTest {

    /** pyautogui's KEYBOARD_KEYS, as its __init__.py lists them (and OSWorld's desktop_env/actions.py copies them). */
    static final List<String> KEYBOARD_KEYS = List.of("\t", "\n", "\r", " ", "!", "\"", "#", "$", "%", "&", "'", "(",
            ")", "*", "+", ",", "-", ".", "/", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=",
            ">", "?", "@", "[", "\\", "]", "^", "_", "`", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",
            "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "{", "|", "}", "~", "accept", "add",
            "alt", "altleft", "altright", "apps", "backspace", "browserback", "browserfavorites", "browserforward",
            "browserhome", "browserrefresh", "browsersearch", "browserstop", "capslock", "clear", "convert", "ctrl",
            "ctrlleft", "ctrlright", "decimal", "del", "delete", "divide", "down", "end", "enter", "esc", "escape",
            "execute", "f1", "f10", "f11", "f12", "f13", "f14", "f15", "f16", "f17", "f18", "f19", "f2", "f20", "f21",
            "f22", "f23", "f24", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "final", "fn", "hanguel", "hangul", "hanja",
            "help", "home", "insert", "junja", "kana", "kanji", "launchapp1", "launchapp2", "launchmail",
            "launchmediaselect", "left", "modechange", "multiply", "nexttrack", "nonconvert", "num0", "num1", "num2",
            "num3", "num4", "num5", "num6", "num7", "num8", "num9", "numlock", "pagedown", "pageup", "pause", "pgdn",
            "pgup", "playpause", "prevtrack", "print", "printscreen", "prntscrn", "prtsc", "prtscr", "return", "right",
            "scrolllock", "select", "separator", "shift", "shiftleft", "shiftright", "sleep", "space", "stop",
            "subtract", "tab", "up", "volumedown", "volumemute", "volumeup", "win", "winleft", "winright", "yen",
            "command", "option", "optionleft", "optionright");

    @Test
    void holdsExactlyPyautoguisKeyboardKeysAndTheUpperCaseLetters() {
        Set<String> expected = new HashSet<>(KEYBOARD_KEYS);
        for (char c = 'A'; c <= 'Z'; c++) {
            expected.add(String.valueOf(c));
        }
        assertEquals(expected, KeyTable.keys().stream().map(Key::name).collect(Collectors.toSet()));
        for (String name : KEYBOARD_KEYS) {
            assertEquals(name, KeyTable.lookup(name).orElseThrow().name(), name);
        }
    }

    @Test
    void onlyWindowsIdeKeysAndFnPressNothing() {
        assertEquals(Set.of("accept", "final", "fn"), KeyTable.keys().stream().filter(k -> k.keysym().isEmpty())
                .map(Key::name).collect(Collectors.toSet()));
    }

    @Test
    void everyAliasStandsForANameOfTheTable() {
        KeyTable.aliases().forEach((alias, name) -> {
            assertTrue(KeyTable.lookup(name).isPresent(), alias + " -> " + name);
            assertEquals(name, KeyTable.lookup(alias).orElseThrow().name(), alias);
        });
    }

    @ParameterizedTest(name = "{0} -> {1} ({2})")
    @CsvSource(delimiter = '|', value = {
        "Return       | return     | Return",
        "ENTER        | enter      | Return",
        "KP_Enter     | enter      | Return",
        "minus        | -          | minus",
        "plus         | +          | plus",
        "equal        | =          | equal",
        "period       | .          | period",
        "comma        | ,          | comma",
        "slash        | /          | slash",
        "Page_Up      | pageup     | Prior",
        "Page_Down    | pagedown   | Next",
        "Prior        | pageup     | Prior",
        "super        | winleft    | Super_L",
        "Super_R      | winright   | Super_R",
        "Control_L    | ctrlleft   | Control_L",
        "BackSpace    | backspace  | BackSpace",
        "KP_7         | num7       | KP_7",
        "F11          | f11        | F11",
        "ArrowLeft    | left       | Left",
        "XF86AudioRaiseVolume | volumeup | XF86AudioRaiseVolume",
        "A            | A          | A",
        "a            | a          | a",
    })
    void resolvesAsPyautoguiAndXdotoolSpellThem(String name, String pyautogui, String keysym) {
        Key key = KeyTable.lookup(name).orElseThrow();
        assertEquals(pyautogui, key.name());
        assertEquals(Optional.of(keysym), key.keysym());
    }

    @Test
    void pyautoguiIgnoresWhatItDoesNotKnow() {
        for (String unknown : new String[] {"", "ä", "Ü", "世", "ctrl+c", "page up", "f25", "Return "}) {
            assertFalse(KeyTable.lookup(unknown).isPresent(), unknown);
        }
        assertFalse(KeyTable.lookup(null).isPresent());
    }
}

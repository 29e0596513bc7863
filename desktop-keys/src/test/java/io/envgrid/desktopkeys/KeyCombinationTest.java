package io.envgrid.desktopkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyCombinationTest {

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
        "ctrl++|ctrl +",
        "ctrl+shift++|ctrl shift +",
        "+|+",
        "ctrl+minus|ctrl -",
        "ctrl+-|ctrl -",
        "ctrl+plus|ctrl +",
        "ctrl+=|ctrl =",
        "ctrl+c|ctrl c",
        "Control_L+Shift_L+t|ctrlleft shiftleft t",
        "ctrl + shift + t|ctrl shift t",
        "alt+F4|alt f4",
        "Return|return",
        "super|winleft",
        "shift+Page_Up|shift pageup",
        "ctrl+A|ctrl A",
        "-|-",
    })
    void everyFormParsesToPyautoguiNames(String text, String names) {
        assertEquals(List.of(names.split(" ")), KeyCombination.parse(text).stream().map(Key::name).toList());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {" ", "\t"})
    void aBlankIsItsOwnKey(String text) {
        assertEquals(1, KeyCombination.parse(text).size());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "ctrl+", "++", "ctrl+++", "a++b", "ctrl+ +", "ctrl+nosuchkey", "ctrl+ä"})
    void malformedOrUnknownIsRefusedWithAReason(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyCombination.parse(text));
        assertTrue(!e.getMessage().isBlank());
    }
}

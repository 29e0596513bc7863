package io.envgrid.deviceagent.pyautogui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pyautogui subset without a display: what is accepted, what it becomes, what is refused and why. */
class PyautoguiCompilerTest {

    private static List<DesktopAction> compile(String code) {
        return PyautoguiCompiler.compile("import pyautogui; import time; pyautogui.FAILSAFE = False; " + code, Duration.ofSeconds(120));
    }

    /** Code the vm-controller generates for computer_13 actions (Computer13Translator), as OSWorld's controller does. */
    @ParameterizedTest
    @ValueSource(strings = {
        "pyautogui.moveTo(100, 200)",
        "pyautogui.moveTo(100, 200, 0.5, pyautogui.easeInQuad)",
        "pyautogui.click()",
        "pyautogui.click(button='right', x=10, y=20, clicks=2)",
        "pyautogui.mouseDown(button='left')",
        "pyautogui.mouseUp()",
        "pyautogui.rightClick(x=5, y=6)",
        "pyautogui.doubleClick()",
        "pyautogui.dragTo(300, 400, duration=1.0, button='left', mouseDownUp=True)",
        "pyautogui.hscroll(-3)",
        "pyautogui.vscroll(5)",
        "pyautogui.typewrite('it\\'s a \"test\"\\n')",
        "pyautogui.press('enter')",
        "pyautogui.keyDown('ctrl')",
        "pyautogui.keyUp('shift')",
        "pyautogui.hotkey('ctrl', 'shift', 't')",
        "pyautogui.press('\\\\')",
    })
    void acceptsWhatTheControllerSends(String code) {
        assertEquals(1, compile(code).size(), code);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "os.system('rm -rf /')",
        "import os; os.remove('x')",
        "x = 1",
        "pyautogui.click(foo=1)",
        "pyautogui.click(1, 2, 3, 4, 'left', 0, None, False, False, 9)",
        "pyautogui.moveTo(open('f'))",
        "pyautogui.press('nokey')",
        "pyautogui.click(button='sideways')",
        "pyautogui.moveTo(1)",
        "pyautogui.typewrite(123)",
        "for i in range(3): pyautogui.click()",
        "pyautogui.click(x=1, x=2)",
        "time.sleep(200)",
        "pyautogui.scroll(1.5)",
        "pyautogui.moveTo('10', 20)",
        "pyautogui.click(1e999, 2)",
    })
    void refusesTheRestNamingTheStatement(String code) {
        PythonSubsetException refused = assertThrows(PythonSubsetException.class, () -> compile("pyautogui.moveTo(1, 1); " + code));
        assertTrue(refused.getMessage().contains("unsupported statement"), refused.getMessage());
    }

    @Test
    void parsesLiteralsAsPythonDoes() {
        List<PyCall> calls = PythonSubset.parse("pyautogui.write(\"a\\tb\" 'c', interval=-0.5)\n# comment\n"
                + "pyautogui.press(['a', \"b\",], presses=3)");
        assertEquals("a\tbc", calls.get(0).args().get(0));
        assertEquals(-0.5, calls.get(0).kwargs().get("interval"));
        assertEquals(List.of("a", "b"), calls.get(1).args().get(0));
        assertEquals(3L, calls.get(1).kwargs().get("presses"));
    }

    @Test
    void typewriteOfAListPressesKeys() {
        List<DesktopAction> actions = compile("pyautogui.typewrite(['a', 'enter'])");
        assertEquals(new DesktopAction.PressKeys(List.of("a", "Return"), 1, 0), actions.get(0));
    }
}

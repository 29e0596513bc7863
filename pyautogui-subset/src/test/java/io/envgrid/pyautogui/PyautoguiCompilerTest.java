package io.envgrid.pyautogui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The pyautogui subset without a display: what is accepted, what it becomes, what is refused and why. */
class PyautoguiCompilerTest {

    private static List<DesktopAction> compile(String code) {
        return program(code).actions();
    }

    private static PyautoguiCompiler.Program program(String code) {
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
        "pyautogui.click(button='sideways')",
        "pyautogui.moveTo(1, 2, 3, None, False, None, 7)",
        "pyautogui.typewrite(123)",
        "for i in range(3): pyautogui.click()",
        "pyautogui.click(x=1, x=2)",
        "time.sleep(200)",
        "pyautogui.scroll('1')",
        "pyautogui.write(b'bytes')",
        "pyautogui.write(rb'bytes')",
        "pyautogui.write(f'{x}')",
        "pyautogui.write('\\N{NO SUCH CHARACTER NAME}')",
        "pyautogui.write('\\N{LATIN SMALL LETTER A')",
        "pyautogui.write('\\x4')",
        "pyautogui.write('\\u12')",
        "pyautogui.write('\\U00110000')",
        "pyautogui.write('unterminated)",
        "pyautogui.write('''unterminated')",
        "pyautogui.dragTo(1, 2, mouseDownUp=1)",
        "pyautogui.click(button=8)",
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

    /** Python literals (as source text) and the text Python reads from each. */
    static Stream<Arguments> literals() {
        return Stream.of(
                Arguments.of("'a\\\\b'", "a\\b"),
                Arguments.of("'\\''", "'"),
                Arguments.of("\"\\\"\"", "\""),
                Arguments.of("'\\a\\b\\f\\v'", "\u0007\b\f\u000b"),
                Arguments.of("'\\n\\r\\t'", "\n\r\t"),
                Arguments.of("'\\0\\101\\1011'", "\0AA1"),
                Arguments.of("'\\x41\\x7e'", "A~"),
                Arguments.of("'\\u00e9\\u4e16'", "\u00e9\u4e16"),
                Arguments.of("'\\U0001F600'", "\uD83D\uDE00"),
                Arguments.of("'\\N{LATIN SMALL LETTER E WITH ACUTE}\\N{em dash}'", "\u00e9\u2014"),
                Arguments.of("'\\d\\w'", "\\d\\w"),
                Arguments.of("r'\\n\\''", "\\n\\'"),
                Arguments.of("R'\\x41'", "\\x41"),
                Arguments.of("u'\\x41' U\"B\"", "AB"),
                Arguments.of("'''a'b\"c'''", "a'b\"c"),
                Arguments.of("\"\"\"x\ny\"\"\"", "x\ny"),
                Arguments.of("'a' \"b\" '''c''' r'd'", "abcd"),
                Arguments.of("'con\\\ntinued'", "continued"),
                Arguments.of("('grouped')", "grouped"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("literals")
    void readsPythonsStringLiteralGrammar(String literal, String expected) {
        List<PyCall> calls = PythonSubset.parse("pyautogui.write(" + literal + ")");
        assertEquals(expected, calls.get(0).args().get(0));
    }

    @Test
    void refusalsNameLineAndColumn() {
        PythonSubsetException refused = assertThrows(PythonSubsetException.class,
                () -> PyautoguiCompiler.compile("import pyautogui\npyautogui.click(1, 2)\n  pyautogui.write(f'x')",
                        Duration.ofSeconds(1)));
        assertTrue(refused.getMessage().startsWith("line 3, column 19: "), refused.getMessage());
        refused = assertThrows(PythonSubsetException.class,
                () -> PyautoguiCompiler.compile("pyautogui.click(1, 2)\n\npyautogui.press('a', presses='x')",
                        Duration.ofSeconds(1)));
        assertTrue(refused.getMessage().startsWith("line 3, column 1: "), refused.getMessage());
        refused = assertThrows(PythonSubsetException.class,
                () -> PyautoguiCompiler.compile("pyautogui.click(1, 2); print('hi')", Duration.ofSeconds(1)));
        assertTrue(refused.getMessage().startsWith("line 1, column 24: "), refused.getMessage());
    }

    /** Python's time.sleep raises ValueError for a negative length; the agent's Thread.sleep would throw. */
    @ParameterizedTest
    @ValueSource(strings = {"time.sleep(-1)", "pyautogui.sleep(-0.5)", "time.sleep(secs=-1e-9)", "pyautogui.sleep(seconds=-3)"})
    void negativeSleepsAreRefused(String code) {
        PythonSubsetException refused = assertThrows(PythonSubsetException.class,
                () -> PyautoguiCompiler.compile("pyautogui.click(1, 2)\n" + code, Duration.ofSeconds(120)));
        assertTrue(refused.getMessage().startsWith("line 2, column 1: "), refused.getMessage());
        assertTrue(refused.getMessage().contains("sleep length must be non-negative"), refused.getMessage());
    }

    /** One sleep, or all the waits together (sleeps and the intervals between events), beyond the call's budget. */
    @ParameterizedTest
    @ValueSource(strings = {"time.sleep(1e308)", "pyautogui.sleep(9223372036854775807)", "time.sleep(10.5)",
        "time.sleep(6); pyautogui.sleep(5)", "pyautogui.press('a', presses=11, interval=1)",
        "pyautogui.click(clicks=12, interval=1)", "pyautogui.write('abcdefghijkl', interval=1)",
        "pyautogui.hotkey('ctrl', 'shift', 'a', interval=2)"})
    void waitsBeyondTheBudgetAreRefused(String code) {
        PythonSubsetException refused = assertThrows(PythonSubsetException.class,
                () -> PyautoguiCompiler.compile(code, Duration.ofSeconds(10)));
        assertTrue(refused.getMessage().contains("time budget of 10.0 s"), refused.getMessage());
    }

    @Test
    void waitsWithinTheBudgetAreKept() {
        PyautoguiCompiler.Program program = PyautoguiCompiler.compile(
                "time.sleep(0); pyautogui.sleep(2.5); pyautogui.press('a', presses=3, interval=1)", Duration.ofSeconds(10));
        assertEquals(List.of(new DesktopAction.Sleep(0), new DesktopAction.Sleep(2500),
                new DesktopAction.PressKeys(List.of("a"), 3, 1000)), program.actions());
    }

    @Test
    void keysPyautoguiSkipsAreLeftOutWithAWarning() {
        PyautoguiCompiler.Program program = PyautoguiCompiler.compile(
                "pyautogui.press(['a', 'nokey'])\npyautogui.keyDown('fn')\npyautogui.hotkey('zz', 'yy')", Duration.ofSeconds(1));
        assertEquals(List.of(new DesktopAction.PressKeys(List.of("a"), 1, 0)), program.actions());
        assertEquals(List.of("line 1, column 1: pyautogui ignores the unknown key name 'nokey'; nothing was pressed for it",
                "line 2, column 1: key 'fn' has no X keysym (pyautogui presses nothing for it on X11); nothing was pressed for it",
                "line 3, column 1: pyautogui ignores the unknown key name 'zz'; nothing was pressed for it",
                "line 3, column 1: pyautogui ignores the unknown key name 'yy'; nothing was pressed for it"), program.warnings());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pyautogui.scroll(2.9)          | 2",
        "pyautogui.scroll(-2.9)         | -2",
        "pyautogui.vscroll(clicks=-1)   | -1",
        "pyautogui.hscroll(0)           | 0",
    })
    void scrollAmountsAreTruncatedAsPythonsInt(String code, int clicks) {
        assertEquals(new DesktopAction.Scroll(Position.HERE, clicks, code.contains("hscroll")), compile(code).get(0));
    }
}

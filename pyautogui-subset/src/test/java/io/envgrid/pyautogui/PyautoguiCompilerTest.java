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
        // pyautogui still pauses after a call that pressed nothing
        assertEquals(List.of(new DesktopAction.PressKeys(List.of("a"), 1, 0), new DesktopAction.Sleep(100),
                new DesktopAction.Sleep(100)), program.actions());
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
        "pyautogui.hscroll(1.5)         | 1",
    })
    void scrollAmountsAreTruncatedAsPythonsInt(String code, int clicks) {
        assertEquals(new DesktopAction.Scroll(Position.HERE, clicks, code.contains("hscroll")), compile(code).get(0));
    }

    /** pyautogui reads coordinates and offsets with int(): truncated towards zero, never rounded. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pyautogui.moveTo(100.7, 200.5)     | 100 | 200",
        "pyautogui.moveTo((10.99, 20.5))    | 10  | 20",
        "pyautogui.moveTo(x=-0.9, y=0.9)    | 0   | 0",
        "pyautogui.moveTo(99.5, None)       | 99  | ",
    })
    void coordinatesAreTruncatedAsPythonsInt(String code, int x, Integer y) {
        assertEquals(List.of(new DesktopAction.MoveTo(new Position(x, y))), compile(code));
    }

    @Test
    void offsetsAreTruncatedAsPythonsInt() {
        assertEquals(List.of(new DesktopAction.MoveBy(-1, 2)), compile("pyautogui.moveRel(-1.9, 2.9)"));
        assertEquals(List.of(new DesktopAction.Drag(new Position(10, -3), true, 1, true)),
                compile("pyautogui.drag(10.5, -3.7)"));
    }

    /** pyautogui returns early from these: no button goes down for a drag by nothing, no move for a scroll of 0. */
    @ParameterizedTest
    @ValueSource(strings = {"pyautogui.drag(0, 0)", "pyautogui.dragRel(0.4, None)", "pyautogui.drag()",
        "pyautogui.scroll(0, 500, 500)", "pyautogui.vscroll(0.9, x=10, y=10)", "pyautogui.hscroll(-0.5, (3, 4))"})
    void whatPyautoguiSkipsDoesNothing(String code) {
        assertEquals(List.of(), compile(code), code);
    }

    @Test
    void zeroClicksMoveWithoutClicking() {
        DesktopAction click = compile("pyautogui.click(5, 6, clicks=0, interval=1)").get(0);
        assertEquals(new DesktopAction.Click(new Position(5, 6), 1, 0, 1000), click);
        assertEquals(0, click.waitMillis());
    }

    /** pyautogui sleeps PAUSE (0.1 s unless set) after each of its calls; the program's last pause is left out. */
    @Test
    void pyautoguisPauseSeparatesItsCalls() {
        DesktopAction a = new DesktopAction.PressKeys(List.of("a"), 1, 0);
        assertEquals(List.of(a, new DesktopAction.Sleep(100), a),
                program("pyautogui.press('a')\npyautogui.press('a')").actions());
        assertEquals(List.of(a, new DesktopAction.Sleep(500), a, new DesktopAction.Sleep(500), new DesktopAction.Sleep(200), a),
                program("pyautogui.PAUSE = 0.5; pyautogui.press('a'); pyautogui.press('a'); time.sleep(0.2); "
                        + "pyautogui.press('a')").actions());
        assertEquals(List.of(a, a), program("pyautogui.PAUSE = 0\npyautogui.press('a')\npyautogui.press('a')").actions());
        assertEquals(List.of(a, a), program("pyautogui.press('a', _pause=False); pyautogui.press('a')").actions());
        assertEquals(List.of(new DesktopAction.Sleep(0), a, new DesktopAction.Sleep(100), a),
                program("pyautogui.sleep(0); pyautogui.press('a'); pyautogui.press('a')").actions());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pyautogui.PAUSE = -1", "pyautogui.PAUSE = None", "pyautogui.PAUSE = 'x'"})
    void aPauseSleepCannotTakeIsRefused(String setting) {
        PythonSubsetException refused = assertThrows(PythonSubsetException.class,
                () -> compile(setting + "\npyautogui.press('a')"));
        assertTrue(refused.getMessage().contains("line 1, column 60: unsupported statement `pyautogui.PAUSE"), refused.getMessage());
    }

    @Test
    void pausesCountTowardsTheBudget() {
        assertEquals(3, PyautoguiCompiler.compile("pyautogui.PAUSE = 6\npyautogui.click()\npyautogui.click()",
                Duration.ofSeconds(10)).actions().size());
        PythonSubsetException refused = assertThrows(PythonSubsetException.class, () -> PyautoguiCompiler.compile(
                "pyautogui.PAUSE = 6\npyautogui.click()\npyautogui.click()\npyautogui.click()", Duration.ofSeconds(10)));
        assertTrue(refused.getMessage().startsWith("line 4, column 1: "), refused.getMessage());
        assertTrue(refused.getMessage().contains("time budget of 10.0 s"), refused.getMessage());
        assertThrows(PythonSubsetException.class, () -> PyautoguiCompiler.compile(
                "pyautogui.PAUSE = 1e300\npyautogui.click()\npyautogui.click()", Duration.ofSeconds(10)));
    }

    /** Numbers as Python's grammar writes them, and only those. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "0x64     | 100",
        "0X_6_4   | 100",
        "0o144    | 100",
        "0b1100100| 100",
        "1_00     | 100",
        "100.     | 100",
        "1e2      | 100",
        "1_0.0_0  | 10",
        "00       | 0",
        ".5e1     | 5",
    })
    void readsPythonsNumbers(String literal, int value) {
        assertEquals(List.of(new DesktopAction.MoveTo(new Position(value, 1))), compile("pyautogui.moveTo(" + literal + ", 1)"));
    }

    /** What Python refuses (a SyntaxError) is refused, not read as something else. */
    @ParameterizedTest
    @ValueSource(strings = {"pyautogui.moveTo(010, 1)", "pyautogui.moveTo(1__0, 1)", "pyautogui.moveTo(1_, 1)",
        "pyautogui.moveTo(1_.5, 1)", "pyautogui.moveTo(1e, 1)", "pyautogui.moveTo(0x, 1)", "pyautogui.moveTo(0b2, 1)",
        "pyautogui.moveTo(1j, 1)", "pyautogui.moveTo(\u0663, 1)", "pyautogui.moveTo(\uff11, 1)",
        "pyautogui.moveTo(1,\u20032)", "pyautogui.moveTo(1,\u00a02)", "pyautogui.write('\\N{ BULLET}')",
        "pyautogui.write('\\N{BULLET }')"})
    void refusesWhatPythonCannotRead(String code) {
        PythonSubsetException refused = assertThrows(PythonSubsetException.class, () -> compile(code));
        assertTrue(refused.getMessage().contains("unsupported statement"), refused.getMessage());
    }

    @Test
    void aNumberOfAHundredThousandDigitsIsRefusedNotAStackOverflow() {
        assertThrows(PythonSubsetException.class, () -> compile("pyautogui.moveTo(" + "1_2".repeat(40_000) + ", 1)"));
        assertThrows(PythonSubsetException.class, () -> compile("pyautogui.moveTo(" + "1".repeat(100_000) + ".5, 1)"));
    }

    /** Python reads \r\n and a lone \r in source as \n, also inside a triple-quoted string. */
    @Test
    void lineEndsAreReadAsPythonReadsThem() {
        assertEquals(List.of(new DesktopAction.TypeText("a\nb\nc", 0)), compile("pyautogui.write('''a\r\nb\rc''')\r\n"));
        PythonSubsetException refused = assertThrows(PythonSubsetException.class,
                () -> PyautoguiCompiler.compile("pyautogui.click()\r\npyautogui.write('a\rb')", Duration.ofSeconds(1)));
        assertTrue(refused.getMessage().startsWith("line 2, column 17: "), refused.getMessage());
    }
}

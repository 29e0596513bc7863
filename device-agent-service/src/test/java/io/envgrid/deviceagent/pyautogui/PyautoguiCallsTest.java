package io.envgrid.deviceagent.pyautogui;

import static io.envgrid.deviceagent.support.OsWorldCalls.pyautogui;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.desktopkeys.Key;
import io.envgrid.desktopkeys.KeyTable;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.OsWorldCalls;
import io.envgrid.deviceagent.support.WithXvfb;
import io.envgrid.deviceagent.support.XevWindow;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every call of the pyautogui subset, sent as OSWorld sends it, reaches the X server: one {@code xev} window
 * reports the button and key events it receives, which are compared with what the call should produce. Covers
 * every key of the shared table and the programs of the interpreter corpus ({@code src/test/resources/pyautogui-corpus}).
 */
@QuarkusTest
@WithXvfb
class PyautoguiCallsTest {

    private static XevWindow xev;

    @BeforeAll
    static void openEventWindow() throws IOException {
        xev = XevWindow.open(Path.of("target"));
    }

    /** The pointer over the window gives it the keyboard (no window manager: focus follows the pointer). */
    private static int pointAtTheWindow() {
        pyautogui("pyautogui.moveTo(1000, 200)").body("status", equalTo("success"));
        return xev.events().size();
    }

    private static void assertEvents(String code, String expected) {
        int before = pointAtTheWindow();
        pyautogui(code).body("status", equalTo("success")).body("returncode", equalTo(0));
        List<String> want = expected == null || expected.isBlank() ? List.of() : List.of(expected.trim().split("\\s+"));
        List<String> got = xev.awaitEvents(before, want.size(), "events of " + code);
        assertEquals(want, got.subList(0, want.size()), code);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pyautogui.click(1000, 200)                                | press:1 release:1",
        "pyautogui.click((1000, 200))                              | press:1 release:1",
        "pyautogui.click(1000, 200, clicks=2, interval=0.05)       | press:1 release:1 press:1 release:1",
        "pyautogui.click(button='right')                           | press:3 release:3",
        "pyautogui.click(button=2)                                 | press:2 release:2",
        "pyautogui.doubleClick(1000, 200)                          | press:1 release:1 press:1 release:1",
        "pyautogui.tripleClick(x=1000, y=200)                      | press:1 release:1 press:1 release:1 press:1 release:1",
        "pyautogui.rightClick(1000, 200)                           | press:3 release:3",
        "pyautogui.middleClick(1000, 200)                          | press:2 release:2",
        "pyautogui.mouseDown(1000, 200, button='left'); pyautogui.mouseUp(button='left') | press:1 release:1",
        "pyautogui.scroll(2, x=1000, y=200)                        | press:4 release:4 press:4 release:4",
        "pyautogui.scroll(-2.7)                                    | press:5 release:5 press:5 release:5",
        "pyautogui.vscroll(-1)                                     | press:5 release:5",
        "pyautogui.hscroll(1)                                      | press:7 release:7",
        "pyautogui.hscroll(-1)                                     | press:6 release:6",
        "pyautogui.write('ab')                                     | key:a keyup:a key:b keyup:b",
        "pyautogui.typewrite(['a', 'enter'], interval=0.01)        | key:a keyup:a key:Return keyup:Return",
        "pyautogui.press('tab')                                    | key:Tab keyup:Tab",
        "pyautogui.press(['esc', 'f5'], presses=1)                 | key:Escape keyup:Escape key:F5 keyup:F5",
        "pyautogui.press('x', presses=2)                           | key:x keyup:x key:x keyup:x",
        "pyautogui.press('add')                                    | key:KP_Add keyup:KP_Add",
        "pyautogui.keyDown('shift'); pyautogui.keyUp('shift')      | key:Shift_L keyup:Shift_L",
        "pyautogui.hotkey('ctrl', 'c')                             | key:Control_L key:c keyup:c keyup:Control_L",
        "pyautogui.hotkey('ctrl', 'minus', interval=0.01)          | key:Control_L key:minus keyup:minus keyup:Control_L",
        "pyautogui.hotkey('ctrl', 'Page_Up')                       | key:Control_L key:Prior keyup:Prior keyup:Control_L",
        "time.sleep(0.05); pyautogui.press('space')                | key:space keyup:space",
        "pyautogui.sleep(0.01); pyautogui.press('\\n')             | key:Return keyup:Return",
    })
    void eachCallActsOnTheDisplay(String code, String expected) {
        assertEvents(code, expected);
    }

    /** The separator as a key: what the gateway's {@code ctrl++}, {@code ctrl+shift++} and {@code +} become. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pyautogui.hotkey('ctrl', '+')           | Control_L plus",
        "pyautogui.hotkey('ctrl', 'shift', '+')  | Control_L Shift_L plus",
        "pyautogui.press('+')                    | plus",
        "pyautogui.hotkey('ctrl', '-')           | Control_L minus",
    })
    void combinationsWithThePlusKeyPressIt(String code, String keys) {
        int before = pointAtTheWindow();
        pyautogui(code).body("status", equalTo("success"));
        List<String> want = List.of(keys.trim().split(" "));
        Conditions.await(() -> keyPresses(eventsSince(before)).containsAll(want), code);
        List<String> presses = keyPresses(eventsSince(before));
        // xdotool may add Shift_L itself to reach plus (shift+equal on a US layout): the asked keys keep their order
        assertEquals(want, presses.stream().filter(want::contains).distinct().toList(), code);
    }

    /**
     * The window's events from index {@code before} on, of one reading: two readings (the list of one, the size of a
     * later one) differ when an event arrives between them, and the sublist then reaches past the list.
     */
    private static List<String> eventsSince(int before) {
        List<String> all = xev.events();
        return all.subList(before, all.size());
    }

    private static List<String> keyPresses(List<String> events) {
        return events.stream().filter(e -> e.startsWith("key:")).map(e -> e.substring(4)).toList();
    }

    /**
     * Modifiers xdotool presses by itself to reach a keysym on a higher level of its keycode (Shift_L for upper-case
     * letters and shifted punctuation, Num_Lock for keypad digits, ISO_Level3_Shift, Alt_L/Control_L/Super_L where
     * Xvfb's keymap puts the right-hand modifiers on a second level).
     */
    private static final Set<String> ADDED_MODIFIERS = Set.of("Shift_L", "Num_Lock", "ISO_Level3_Shift", "Alt_L",
            "Control_L", "Super_L");

    /**
     * Every key of the shared table that has an X keysym, in one program, each arriving as its keysym, in order;
     * between them only the modifiers the agent adds itself (a shifted character's Shift, a keypad digit's Num_Lock).
     * The lock keys come last and are pressed twice, so they do not change how the keys after them read. Left out:
     * the shift keys, which are among the modifiers added (checked on their own above).
     */
    @Test
    void everyKeyOfTheSharedTableArrivesAsItsKeysym() {
        List<Key> keys = new ArrayList<>(KeyTable.keys().stream().filter(k -> k.keysym().isPresent()
                && !k.keysym().get().equals("Shift_L")).toList());
        List<Key> locks = keys.stream().filter(k -> k.keysym().get().endsWith("_Lock")).toList();
        keys.removeAll(locks);
        keys.addAll(locks);
        keys.addAll(locks);
        StringBuilder program = new StringBuilder("pyautogui.press([");
        keys.forEach(k -> program.append(python(k.name())).append(", "));
        program.append("])");
        List<String> want = keys.stream().map(k -> k.keysym().get()).toList();

        int before = pointAtTheWindow();
        pyautogui(program.toString()).body("status", equalTo("success")).body("error", equalTo(""));
        Conditions.await(() -> matched(want, keyPresses(eventsSince(before))) == want.size(),
                "a key event for every key");
    }

    /**
     * How many of {@code want} arrived in order, with only {@link #ADDED_MODIFIERS} between them; fails at the first
     * other key press.
     */
    private static int matched(List<String> want, List<String> presses) {
        int found = 0;
        for (String press : presses) {
            if (found < want.size() && press.equals(want.get(found))) {
                found++;
            } else if (!ADDED_MODIFIERS.contains(press)) {
                throw new AssertionError("unexpected key press " + press + " after " + want.subList(0, found)
                        + "; all presses: " + presses);
            }
        }
        return found;
    }

    /** A Python literal for a key name (the table's names hold quotes, backslashes and control characters). */
    private static String python(String text) {
        StringBuilder literal = new StringBuilder("'");
        for (char c : text.toCharArray()) {
            literal.append(switch (c) {
                case '\\' -> "\\\\";
                case '\'' -> "\\'";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> String.valueOf(c);
            });
        }
        return literal.append('\'').toString();
    }

    /** pyautogui skips a key it does not know, and fn (no X keysym); so does the agent, and it says so. */
    @Test
    void keysPyautoguiSkipsPressNothingAndTheAnswerSaysSo() {
        int before = pointAtTheWindow();
        pyautogui("pyautogui.press('nokey'); pyautogui.hotkey('fn', 'a'); pyautogui.press('b')")
                .body("status", equalTo("success")).body("returncode", equalTo(0))
                .body("error", allOf(containsString("line 1, column 60: pyautogui ignores the unknown key name 'nokey'"),
                        containsString("key 'fn' has no X keysym")));
        List<String> got = xev.awaitEvents(before, 4, "a, then b");
        assertEquals(List.of("key:a", "keyup:a", "key:b", "keyup:b"), got.subList(0, 4));
    }

    /** A program with a statement outside the subset on line 3 runs nothing at all, and the refusal says where. */
    @Test
    void aRefusedProgramRunsNothingAndNamesLineAndColumn() {
        int before = pointAtTheWindow();
        pyautogui("\npyautogui.press('a')\npyautogui.write(b'bytes')\n")
                .body("status", equalTo("error")).body("returncode", equalTo(1))
                .body("error", containsString("line 3, column 17:"))
                .body("error", containsString("bytes literals are outside the subset"));
        pyautogui("pyautogui.press('c')");
        List<String> got = xev.awaitEvents(before, 2, "c");
        assertEquals(List.of("key:c", "keyup:c"), got.subList(0, 2), "nothing of the refused program ran");
    }

    /**
     * A negative sleep (Python's ValueError) reached Thread.sleep(-1000) once: a 5xx after the first key had been
     * pressed. Now the program is refused whole, with OSWorld's error answer, and nothing of it runs.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pyautogui.press('a'); time.sleep(-1)              | sleep length must be non-negative",
        "pyautogui.press('a'); pyautogui.sleep(seconds=-2) | sleep length must be non-negative",
        "pyautogui.press('a'); time.sleep(1e300)           | longer than the call's time budget",
    })
    void aNegativeOrHugeSleepIsRefusedBeforeAnythingRuns(String code, String reason) {
        int before = pointAtTheWindow();
        pyautogui(code).body("status", equalTo("error")).body("returncode", equalTo(1))
                .body("error", containsString("line 1, column 82:")).body("error", containsString(reason));
        pyautogui("pyautogui.press('c')");
        List<String> got = xev.awaitEvents(before, 2, "c");
        assertEquals(List.of("key:c", "keyup:c"), got.subList(0, 2), "nothing of the refused program ran");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pyautogui.dragTo(1100, 250, duration=0.2, button='left') | press:1 release:1 | 1100 | 250",
        "pyautogui.dragTo(1100, None)                             | press:1 release:1 | 1100 | 200",
        "pyautogui.dragTo(1050, 230, mouseDownUp=False)           |                   | 1050 | 230",
        "pyautogui.dragRel(50, 20)                                | press:1 release:1 | 1050 | 220",
        "pyautogui.drag(-20, yOffset=10, button='right')          | press:3 release:3 | 980  | 210",
        "pyautogui.moveRel(xOffset=-10, yOffset=5)                |                   | 990  | 205",
        "pyautogui.move(None, 7)                                  |                   | 1000 | 207",
        "pyautogui.moveTo(None, 250)                              |                   | 1000 | 250",
        "pyautogui.moveTo((1010, 190))                            |                   | 1010 | 190",
        "pyautogui.moveTo(1010.9, 190.9)                          |                   | 1010 | 190",
        "pyautogui.click(x=1020.5, y=210.99)                      | press:1 release:1 | 1020 | 210",
        "pyautogui.moveRel(-10.9, 5.9)                            |                   | 990  | 205",
    })
    void movesAndDragsEndWhereAsked(String code, String expected, int x, int y) {
        int before = pointAtTheWindow();
        pyautogui(code).body("status", equalTo("success"));
        assertEquals(List.of(x, y), OsWorldCalls.cursor());
        if (expected != null) {
            List<String> want = List.of(expected.trim().split("\\s+"));
            assertTrue(xev.awaitEvents(before, want.size(), "events of " + code).containsAll(want), code);
        }
    }

    /**
     * pyautogui returns before acting from a drag by (0, 0) (no button goes down: no click) and from a scroll of 0
     * clicks (no move to its x and y); a click with clicks=0 moves and clicks nothing.
     */
    @Test
    void whatPyautoguiSkipsActsOnNothing() {
        int before = pointAtTheWindow();
        pyautogui("pyautogui.drag(0, 0); pyautogui.dragRel(0.5, None); pyautogui.scroll(0, 1100, 250); "
                + "pyautogui.hscroll(0.9, x=1100, y=250)").body("status", equalTo("success"));
        assertEquals(List.of(1000, 200), OsWorldCalls.cursor());
        pyautogui("pyautogui.click(1010, 210, clicks=0); pyautogui.press('c')").body("status", equalTo("success"));
        assertEquals(List.of(1010, 210), OsWorldCalls.cursor());
        List<String> got = xev.awaitEvents(before, 2, "c");
        assertEquals(List.of("key:c", "keyup:c"), got.subList(0, 2), "no button event before c");
    }

    /**
     * pyautogui sleeps {@code PAUSE} (0.1 s) after each call, which gives the desktop time to answer one call before
     * the next acts; a program of three calls takes at least two pauses.
     */
    @Test
    void pyautoguisPauseSeparatesTheCalls() {
        int before = pointAtTheWindow();
        long start = System.nanoTime();
        pyautogui("pyautogui.press('a')\npyautogui.press('b')\npyautogui.press('c')").body("status", equalTo("success"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 200, "three calls took " + millis + " ms");
        List<String> got = xev.awaitEvents(before, 6, "a, b, c");
        assertEquals(List.of("key:a", "keyup:a", "key:b", "keyup:b", "key:c", "keyup:c"), got.subList(0, 6));
    }

    static Stream<Path> corpus() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/pyautogui-corpus"))) {
            return files.filter(f -> f.toString().endsWith(".py")).sorted().toList().stream();
        }
    }

    /**
     * The interpreter corpus: programs in the shapes OSWorld's agents emit, each opened by a comment line
     * {@code # expect: <events>} naming the X events it must produce, in order.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void corpusProgramsProduceTheirEvents(Path file) {
        String program;
        try {
            program = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String expected = program.lines().filter(l -> l.startsWith("# expect:")).findFirst()
                .orElseThrow(() -> new AssertionError(file + " has no '# expect:' line")).substring("# expect:".length());
        assertEvents(program, expected);
    }
}

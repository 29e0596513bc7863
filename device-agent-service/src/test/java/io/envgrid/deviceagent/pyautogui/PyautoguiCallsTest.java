package io.envgrid.deviceagent.pyautogui;

import static io.envgrid.deviceagent.support.OsWorldCalls.pyautogui;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.OsWorldCalls;
import io.envgrid.deviceagent.support.WithXvfb;
import io.envgrid.deviceagent.support.Xvfb;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every call of the pyautogui subset, sent as OSWorld sends it, reaches the X server: an {@code xev}
 * window (x11-utils) reports the button and key events it receives, which are compared with what
 * the call should produce.
 */
@QuarkusTest
@WithXvfb
class PyautoguiCallsTest {

    /** The xev window: 300×200 at (900, 100); (1000, 200) is inside it. */
    private static Path events;

    @BeforeAll
    static void openEventWindow() throws IOException {
        events = Path.of("target", "xev-events.txt").toAbsolutePath();
        Files.deleteIfExists(events);
        // line-buffered, so each event reaches the file as it happens
        Xvfb.client(Path.of("target"), events, "stdbuf", "-oL", "xev", "-geometry", "300x200+900+100");
        Conditions.await(() -> read().contains("MapNotify"), "the xev window on screen");
    }

    private static String read() {
        try {
            return Files.exists(events) ? Files.readString(events) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Button presses as "press:N", key presses as "key:keysym" and releases alike, in order. */
    private static List<String> inputEvents(String log) {
        Pattern event = Pattern.compile("(ButtonPress|ButtonRelease|KeyPress|KeyRelease) event.*?(button (\\d+)|keysym 0x[0-9a-f]+, ([^)]+)\\))",
                Pattern.DOTALL);
        Matcher m = event.matcher(log);
        List<String> found = new java.util.ArrayList<>();
        while (m.find()) {
            String kind = switch (m.group(1)) {
                case "ButtonPress" -> "press:";
                case "ButtonRelease" -> "release:";
                case "KeyPress" -> "key:";
                default -> "keyup:";
            };
            found.add(kind + (m.group(3) != null ? m.group(3) : m.group(4)));
        }
        return found;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pyautogui.click(1000, 200)                                | press:1 release:1",
        "pyautogui.click(1000, 200, clicks=2, interval=0.05)       | press:1 release:1 press:1 release:1",
        "pyautogui.click(button='right')                           | press:3 release:3",
        "pyautogui.doubleClick(1000, 200)                          | press:1 release:1 press:1 release:1",
        "pyautogui.tripleClick(x=1000, y=200)                      | press:1 release:1 press:1 release:1 press:1 release:1",
        "pyautogui.rightClick(1000, 200)                           | press:3 release:3",
        "pyautogui.middleClick(1000, 200)                          | press:2 release:2",
        "pyautogui.mouseDown(1000, 200, button='left'); pyautogui.mouseUp(button='left') | press:1 release:1",
        "pyautogui.scroll(2, x=1000, y=200)                        | press:4 release:4 press:4 release:4",
        "pyautogui.vscroll(-1)                                     | press:5 release:5",
        "pyautogui.hscroll(1)                                      | press:7 release:7",
        "pyautogui.hscroll(-1)                                     | press:6 release:6",
        "pyautogui.write('ab')                                     | key:a keyup:a key:b keyup:b",
        "pyautogui.typewrite(['a', 'enter'], interval=0.01)        | key:a keyup:a key:Return keyup:Return",
        "pyautogui.press('tab')                                    | key:Tab keyup:Tab",
        "pyautogui.press(['esc', 'f5'], presses=1)                 | key:Escape keyup:Escape key:F5 keyup:F5",
        "pyautogui.press('x', presses=2)                           | key:x keyup:x key:x keyup:x",
        "pyautogui.keyDown('shift'); pyautogui.keyUp('shift')      | key:Shift_L keyup:Shift_L",
        "pyautogui.hotkey('ctrl', 'c')                             | key:Control_L key:c keyup:c keyup:Control_L",
        "time.sleep(0.05); pyautogui.press('space')                | key:space keyup:space",
    })
    void eachCallActsOnTheDisplay(String code, String expected) {
        // the pointer over the window gives it the keyboard (no window manager: focus follows the pointer)
        pyautogui("pyautogui.moveTo(1000, 200)").body("status", equalTo("success"));
        int before = inputEvents(read()).size();
        pyautogui(code).body("status", equalTo("success")).body("returncode", equalTo(0));
        List<String> want = List.of(expected.trim().split("\\s+"));
        Conditions.await(() -> inputEvents(read()).size() - before >= want.size(), "events of " + code);
        List<String> got = inputEvents(read());
        assertEquals(want, got.subList(before, before + want.size()), code);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pyautogui.dragTo(1100, 250, duration=0.2, button='left') | press:1 release:1 | 1100 | 250",
        "pyautogui.dragRel(50, 20)                                | press:1 release:1 | 1050 | 220",
        "pyautogui.moveRel(xOffset=-10, yOffset=5)                |                   | 990  | 205",
    })
    void movesAndDragsEndWhereAsked(String code, String expected, int x, int y) {
        pyautogui("pyautogui.moveTo(1000, 200)");
        int before = inputEvents(read()).size();
        pyautogui(code).body("status", equalTo("success"));
        assertEquals(List.of(x, y), OsWorldCalls.cursor());
        if (expected != null) {
            List<String> want = List.of(expected.trim().split("\\s+"));
            Conditions.await(() -> inputEvents(read()).size() - before >= want.size(), "events of " + code);
            assertTrue(inputEvents(read()).subList(before, inputEvents(read()).size()).containsAll(want), code);
        }
    }
}

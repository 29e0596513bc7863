package io.envgrid.pyautogui;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns parsed pyautogui calls into desktop actions, binding positional and keyword arguments as
 * pyautogui's own signatures do. Every call is checked before any runs: a program is accepted
 * whole or refused with the line, column and statement at fault. Durations of moves and drags are
 * not animated (the pointer jumps, as OSWorld's controller asks for by default); sleeps
 * ({@code time.sleep}, {@code pyautogui.sleep}) are honoured, a negative one is refused as Python
 * refuses it ({@code ValueError}), and all the program's waits (sleeps and the intervals between
 * clicks, presses and typed characters) together must fit the call's time budget. As pyautogui: scroll amounts are
 * truncated to whole clicks (positive up/right: X buttons 4/7, negative down/left: 5/6; 0 does nothing, not even
 * move), {@code drag}/{@code dragRel} move by an offset (none: nothing at all) and {@code dragTo} to a position,
 * coordinates are truncated as {@code int()} truncates them, a None coordinate is the pointer's, and a key name
 * pyautogui does not know presses nothing (with a warning in the program's result).
 *
 * <p>{@code pyautogui.PAUSE} (0.1 s unless the program sets it) is slept after each pyautogui call, as pyautogui does
 * unless the call says {@code _pause=False}: it gives the desktop time to answer one call (a menu to open) before the
 * next acts. Only the pause after the program's last call is left out: nothing of the program follows it, and the
 * caller's next step waits for the answer anyway.
 */
public final class PyautoguiCompiler {

    private static final int MAX_CLICKS = 100;
    private static final int MAX_PRESSES = 1000;
    private static final int MAX_SCROLL = 10_000;
    /** pyautogui.PAUSE's default: pyautogui sleeps 0.1 s after each of its calls. */
    private static final long DEFAULT_PAUSE_MILLIS = 100;

    /** Parameter names in pyautogui's order; {@code *keys} marks hotkey's variadic keys. */
    private static final Map<String, List<String>> SIGNATURES = new HashMap<>();

    static {
        signature("moveTo", "x", "y", "duration", "tween", "logScreenshot", "_pause");
        signature("moveRel", "xOffset", "yOffset", "duration", "tween", "logScreenshot", "_pause");
        signature("move", "xOffset", "yOffset", "duration", "tween", "logScreenshot", "_pause");
        signature("click", "x", "y", "clicks", "interval", "button", "duration", "tween", "logScreenshot", "_pause");
        signature("doubleClick", "x", "y", "interval", "button", "duration", "tween", "logScreenshot", "_pause");
        signature("tripleClick", "x", "y", "interval", "button", "duration", "tween", "logScreenshot", "_pause");
        signature("rightClick", "x", "y", "duration", "tween", "logScreenshot", "_pause");
        signature("middleClick", "x", "y", "duration", "tween", "logScreenshot", "_pause");
        signature("mouseDown", "x", "y", "button", "duration", "tween", "logScreenshot", "_pause");
        signature("mouseUp", "x", "y", "button", "duration", "tween", "logScreenshot", "_pause");
        signature("dragTo", "x", "y", "duration", "tween", "button", "logScreenshot", "_pause", "mouseDownUp");
        signature("dragRel", "xOffset", "yOffset", "duration", "tween", "button", "logScreenshot", "_pause", "mouseDownUp");
        signature("drag", "xOffset", "yOffset", "duration", "tween", "button", "logScreenshot", "_pause", "mouseDownUp");
        signature("scroll", "clicks", "x", "y", "logScreenshot", "_pause");
        signature("vscroll", "clicks", "x", "y", "logScreenshot", "_pause");
        signature("hscroll", "clicks", "x", "y", "logScreenshot", "_pause");
        signature("typewrite", "message", "interval", "logScreenshot", "_pause");
        signature("write", "message", "interval", "logScreenshot", "_pause");
        signature("press", "keys", "presses", "interval", "logScreenshot", "_pause");
        signature("keyDown", "key", "logScreenshot", "_pause");
        signature("keyUp", "key", "logScreenshot", "_pause");
        signature("hotkey", "*keys", "interval", "logScreenshot", "_pause");
        signature("sleep", "seconds");
        SIGNATURES.put("time.sleep", List.of("secs"));
    }

    private static void signature(String function, String... parameters) {
        SIGNATURES.put("pyautogui." + function, List.of(parameters));
    }

    private PyautoguiCompiler() {
    }

    /** A compiled program: its actions, and what pyautogui would have skipped silently (one line each). */
    public record Program(List<DesktopAction> actions, List<String> warnings) {
    }

    /**
     * The actions of a whole program. {@code budget} is the call's time budget: the most the program may wait in
     * sleeps and intervals, all together. Throws a {@link PythonSubsetException} (and nothing else, whatever the
     * code) naming the line, column and statement at fault when any part of the program is outside the subset.
     */
    public static Program compile(String code, Duration budget) {
        List<DesktopAction> actions = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        long waited = 0;
        long pause = DEFAULT_PAUSE_MILLIS;
        // the pause owed by the last pyautogui call, played only if a call follows it (see the class comment)
        long owed = 0;
        for (PyCall call : PythonSubset.parse(code)) {
            try {
                if (call.assignment()) {
                    pause = call.function().equals("pyautogui.PAUSE") ? pause(call) : pause;
                    continue;
                }
                List<DesktopAction> steps = new ArrayList<>();
                if (owed > 0) {
                    steps.add(new DesktopAction.Sleep(owed));
                }
                steps.addAll(compile(call, warnings, budget));
                owed = pauses(call) ? pause : 0;
                for (DesktopAction action : steps) {
                    waited += action.waitMillis();
                    if (waited > budget.toMillis()) {
                        throw new PythonSubsetException("sleeps, intervals and pauses add up to more than the call's"
                                + " time budget of " + budget.toMillis() / 1000.0 + " s");
                    }
                    actions.add(action);
                }
            } catch (PythonSubsetException e) {
                throw new PythonSubsetException(call.where() + ": unsupported statement `" + call.source() + "`: "
                        + e.getMessage());
            }
        }
        return new Program(List.copyOf(actions), List.copyOf(warnings));
    }

    /**
     * {@code pyautogui.PAUSE}'s new value in milliseconds: pyautogui sleeps it after each call (and asserts it is an
     * int or a float first), so a negative one raises ValueError at the first call, as Python's sleep does.
     */
    private static long pause(PyCall assignment) {
        Object value = assignment.args().get(0);
        double seconds = value instanceof Long l ? l : value instanceof Double d && Double.isFinite(d) ? d : Double.NaN;
        if (Double.isNaN(seconds)) {
            throw new PythonSubsetException("pyautogui.PAUSE must be a number of seconds");
        }
        if (seconds < 0) {
            throw new PythonSubsetException("pyautogui.PAUSE must be non-negative (Python's sleep raises ValueError)");
        }
        // beyond any budget: the budget check refuses it at the first pause that is played
        return seconds > Integer.MAX_VALUE ? Integer.MAX_VALUE * 1000L : Math.round(seconds * 1000);
    }

    /** Whether pyautogui sleeps {@code PAUSE} after this call: all its calls but its own sleep, unless {@code _pause=False}. */
    private static boolean pauses(PyCall call) {
        if (!call.function().startsWith("pyautogui.") || call.function().equals("pyautogui.sleep")) {
            return false;
        }
        Object flag = call.kwargs().get("_pause");
        // pyautogui tests it as Python tests any value: only False, None, 0 and empty values skip the pause
        return !(flag == Boolean.FALSE || flag == PyCall.NONE || (flag instanceof Long l && l == 0)
                || (flag instanceof Double d && d == 0) || (flag instanceof String t && t.isEmpty())
                || (flag instanceof List<?> list && list.isEmpty()));
    }

    /** The call's actions: none when pyautogui would do nothing (every key it names is one pyautogui skips). */
    private static List<DesktopAction> compile(PyCall call, List<String> warnings, Duration budget) {
        List<String> parameters = SIGNATURES.get(call.function());
        if (parameters == null) {
            throw new PythonSubsetException("'" + call.function() + "' is not one of the pyautogui calls the agent runs");
        }
        Arguments a = Arguments.bind(call, parameters, warnings);
        String name = call.function().substring(call.function().indexOf('.') + 1);
        return switch (name) {
            case "sleep" -> List.of(sleep(a, call.function().equals("time.sleep") ? "secs" : "seconds", budget));
            case "moveTo" -> List.of(new DesktopAction.MoveTo(a.point("x", "y")));
            case "moveRel", "move" -> {
                int[] d = a.offset("xOffset", "yOffset");
                yield List.of(new DesktopAction.MoveBy(d[0], d[1]));
            }
            // clicks=0 moves and clicks nothing, as pyautogui's loop over range(clicks) does
            case "click" -> List.of(click(a, a.button("button", 1), (int) a.integer("clicks", 1L, 0, MAX_CLICKS)));
            case "doubleClick" -> List.of(click(a, a.button("button", 1), 2));
            case "tripleClick" -> List.of(click(a, a.button("button", 1), 3));
            case "rightClick" -> List.of(click(a, 3, 1));
            case "middleClick" -> List.of(click(a, 2, 1));
            case "mouseDown" -> List.of(new DesktopAction.ButtonDown(a.point("x", "y"), a.button("button", 1)));
            case "mouseUp" -> List.of(new DesktopAction.ButtonUp(a.point("x", "y"), a.button("button", 1)));
            case "dragTo" -> List.of(new DesktopAction.Drag(a.point("x", "y"), false, a.button("button", 1),
                    a.flag("mouseDownUp", true)));
            case "dragRel", "drag" -> {
                int[] d = a.offset("xOffset", "yOffset");
                DesktopAction drag = new DesktopAction.Drag(new Position(d[0], d[1]), true, a.button("button", 1),
                        a.flag("mouseDownUp", true));
                // pyautogui returns before the button goes down when there is nowhere to drag to: no click
                yield d[0] == 0 && d[1] == 0 ? List.<DesktopAction>of() : List.of(drag);
            }
            case "scroll", "vscroll", "hscroll" -> {
                DesktopAction.Scroll scroll = new DesktopAction.Scroll(a.point("x", "y"), a.truncated("clicks", MAX_SCROLL),
                        name.equals("hscroll"));
                // pyautogui's X11 backend returns on 0 clicks before it moves to (x, y)
                yield scroll.clicks() == 0 ? List.<DesktopAction>of() : List.<DesktopAction>of(scroll);
            }
            case "typewrite", "write" -> typewrite(a);
            case "press" -> {
                List<String> keys = a.keys("keys");
                int presses = (int) a.integer("presses", 1L, 0, MAX_PRESSES);
                yield keys.isEmpty() ? List.of() : List.of(new DesktopAction.PressKeys(keys, presses, a.millis("interval")));
            }
            case "keyDown" -> a.key("key").<List<DesktopAction>>map(k -> List.of(new DesktopAction.KeyDown(k))).orElse(List.of());
            case "keyUp" -> a.key("key").<List<DesktopAction>>map(k -> List.of(new DesktopAction.KeyUp(k))).orElse(List.of());
            case "hotkey" -> {
                List<String> keys = a.keys("*keys");
                yield keys.isEmpty() ? List.of() : List.of(new DesktopAction.Hotkey(keys, a.millis("interval")));
            }
            default -> throw new IllegalStateException("no translation for " + name);
        };
    }

    /**
     * A sleep of a finite, non-negative number of seconds (Python's {@code time.sleep} raises ValueError for a
     * negative one) no longer than the whole budget: checked in seconds, so a huge value cannot overflow.
     */
    private static DesktopAction sleep(Arguments a, String parameter, Duration budget) {
        double seconds = a.number(parameter, null);
        if (seconds < 0) {
            throw new PythonSubsetException("sleep length must be non-negative (Python raises ValueError)");
        }
        if (seconds * 1000 > budget.toMillis()) {
            throw new PythonSubsetException("a sleep of " + seconds + " s is longer than the call's time budget of "
                    + budget.toMillis() / 1000.0 + " s");
        }
        return new DesktopAction.Sleep(Math.round(seconds * 1000));
    }

    private static DesktopAction click(Arguments a, int button, int count) {
        return new DesktopAction.Click(a.point("x", "y"), button, count, a.millis("interval"));
    }

    /** A string is typed as text; a list is a sequence of key names, as pyautogui treats them. */
    private static List<DesktopAction> typewrite(Arguments a) {
        Object message = a.required("message");
        int interval = a.millis("interval");
        if (message instanceof String text) {
            return List.of(new DesktopAction.TypeText(text, interval));
        }
        List<String> keys = a.keys("message");
        return keys.isEmpty() ? List.of() : List.of(new DesktopAction.PressKeys(keys, 1, interval));
    }
}

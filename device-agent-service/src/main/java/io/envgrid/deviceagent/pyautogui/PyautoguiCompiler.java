package io.envgrid.deviceagent.pyautogui;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns parsed pyautogui calls into desktop actions, binding positional and keyword arguments as
 * pyautogui's own signatures do. Every call is checked before any runs: a program is accepted
 * whole or refused with the statement at fault. Durations of moves and drags are not animated
 * (the pointer jumps, as OSWorld's controller asks for by default); sleeps are honoured.
 */
final class PyautoguiCompiler {

    private static final int MAX_CLICKS = 100;
    private static final int MAX_PRESSES = 1000;

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
        SIGNATURES.put("time.sleep", List.of("secs"));
    }

    private static void signature(String function, String... parameters) {
        SIGNATURES.put("pyautogui." + function, List.of(parameters));
    }

    private PyautoguiCompiler() {
    }

    /** The actions of a whole program, or a {@link PythonSubsetException} naming the first statement at fault. */
    static List<DesktopAction> compile(String code, Duration maxSleep) {
        List<DesktopAction> actions = new ArrayList<>();
        long slept = 0;
        for (PyCall call : PythonSubset.parse(code)) {
            try {
                DesktopAction action = compile(call);
                if (action instanceof DesktopAction.Sleep sleep) {
                    slept += sleep.millis();
                    if (slept > maxSleep.toMillis()) {
                        throw new PythonSubsetException("sleeps add up to more than " + maxSleep.toSeconds() + " s");
                    }
                }
                actions.add(action);
            } catch (PythonSubsetException e) {
                throw new PythonSubsetException("unsupported statement `" + call.source() + "`: " + e.getMessage());
            }
        }
        return actions;
    }

    private static DesktopAction compile(PyCall call) {
        List<String> parameters = SIGNATURES.get(call.function());
        if (parameters == null) {
            throw new PythonSubsetException("'" + call.function() + "' is not one of the pyautogui calls the agent runs");
        }
        Arguments a = Arguments.bind(call, parameters);
        String name = call.function().substring(call.function().indexOf('.') + 1);
        return switch (name) {
            case "sleep" -> new DesktopAction.Sleep(Math.round(a.number("secs", null) * 1000));
            case "moveTo" -> {
                int[] xy = a.point("x", "y");
                if (xy == null) {
                    throw new PythonSubsetException("moveTo needs x and y");
                }
                yield new DesktopAction.MoveTo(xy[0], xy[1]);
            }
            case "moveRel", "move" -> {
                int[] d = a.point("xOffset", "yOffset");
                yield new DesktopAction.MoveBy(d == null ? 0 : d[0], d == null ? 0 : d[1]);
            }
            case "click" -> click(a, a.button("button", 1), (int) a.integer("clicks", 1L, 1, MAX_CLICKS));
            case "doubleClick" -> click(a, a.button("button", 1), 2);
            case "tripleClick" -> click(a, a.button("button", 1), 3);
            case "rightClick" -> click(a, 3, 1);
            case "middleClick" -> click(a, 2, 1);
            case "mouseDown" -> {
                int[] xy = a.point("x", "y");
                yield new DesktopAction.ButtonDown(xy == null ? null : xy[0], xy == null ? null : xy[1], a.button("button", 1));
            }
            case "mouseUp" -> {
                int[] xy = a.point("x", "y");
                yield new DesktopAction.ButtonUp(xy == null ? null : xy[0], xy == null ? null : xy[1], a.button("button", 1));
            }
            case "dragTo", "dragRel", "drag" -> {
                boolean relative = !name.equals("dragTo");
                int[] xy = relative ? a.point("xOffset", "yOffset") : a.point("x", "y");
                if (xy == null) {
                    throw new PythonSubsetException(name + " needs a target");
                }
                yield new DesktopAction.Drag(xy[0], xy[1], relative, a.button("button", 1));
            }
            case "scroll", "vscroll", "hscroll" -> {
                int[] xy = a.point("x", "y");
                yield new DesktopAction.Scroll(xy == null ? null : xy[0], xy == null ? null : xy[1],
                        (int) a.integer("clicks", null, -10_000, 10_000), name.equals("hscroll"));
            }
            case "typewrite", "write" -> typewrite(a);
            case "press" -> new DesktopAction.PressKeys(a.keys("keys"), (int) a.integer("presses", 1L, 1, MAX_PRESSES),
                    a.millis("interval"));
            case "keyDown" -> new DesktopAction.KeyDown(a.key("key"));
            case "keyUp" -> new DesktopAction.KeyUp(a.key("key"));
            case "hotkey" -> new DesktopAction.Hotkey(a.keys("*keys"));
            default -> throw new IllegalStateException("no translation for " + name);
        };
    }

    private static DesktopAction click(Arguments a, int button, int count) {
        int[] xy = a.point("x", "y");
        return new DesktopAction.Click(xy == null ? null : xy[0], xy == null ? null : xy[1], button, count, a.millis("interval"));
    }

    /** A string is typed as text; a list is a sequence of key names, as pyautogui treats them. */
    private static DesktopAction typewrite(Arguments a) {
        Object message = a.required("message");
        int interval = a.millis("interval");
        if (message instanceof String text) {
            return new DesktopAction.TypeText(text, interval);
        }
        return new DesktopAction.PressKeys(a.keys("message"), 1, interval);
    }
}

package io.envgrid.pyautogui;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.envgrid.testsupport.fuzz.Gen;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compiler on random and hostile programs: whatever the code, it answers a program or a
 * {@link PythonSubsetException}, never another exception (which the device agent would turn into a 5xx and the
 * gateway into a failed check), and a program it answers never waits longer than the budget nor a negative time.
 * Seeded: a failure names its seed and case; {@code -Dfuzz.seed=} and {@code -Dfuzz.pyautogui.cases=} change them.
 */
class PyautoguiCompilerFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    private static final int CASES = Integer.getInteger("fuzz.pyautogui.cases", 20_000);
    private static final Duration BUDGET = Duration.ofSeconds(120);

    /** Pieces of the subset's grammar and of what lies just outside it, joined at random. */
    private static final Gen<String> TOKEN = Gen.oneOf(
            Gen.of("pyautogui.", "time.sleep", "pyautogui.sleep", "click", "moveTo", "dragTo", "drag", "scroll",
                    "hscroll", "typewrite", "write", "press", "hotkey", "keyDown", "keyUp", "mouseDown", "doubleClick",
                    "import pyautogui", "import time", "pyautogui.FAILSAFE = False", "x", "button", "clicks",
                    "interval", "presses", "mouseDownUp", "True", "False", "None", "pyautogui.easeInQuad"),
            Gen.of("(", ")", "[", "]", ",", "=", ".", ";", "-", "+", "\n", "\\\n", "\r\n", " ", "\t", "#", "'", "\"",
                    "'''", "\"\"\"", "\\", "r", "b", "f", "u"),
            Gen.of("0", "1", "-1", "2.5", "1e308", "1e309", "-1e309", "1e-400", ".5", "1_000", "0x10", "9223372036854775808",
                    "-9223372036854775808", "1e", "1.2.3", "nan", "inf", "1e18", "0.0"),
            Gen.of("'a'", "'ctrl'", "'enter'", "'\\x41'", "'\\u00e9'", "'\\U0001F600'", "'\\N{BULLET}'", "'\\N{'",
                    "'\\777'", "'\\'", "r'\\'", "'\\x'", "'''x\n'''", "\"\\\"\"", "'left'", "'nokey'", "['a', 'b']"),
            Gen.anyStrings(4));

    /** Calls of the subset with random arguments: mostly well-formed, so the binder and the reads are reached. */
    private static final Gen<String> CALL = random -> {
        String function = Gen.of("pyautogui.click", "pyautogui.moveTo", "pyautogui.dragTo", "pyautogui.drag",
                "pyautogui.scroll", "pyautogui.hscroll", "pyautogui.write", "pyautogui.press", "pyautogui.hotkey",
                "pyautogui.keyDown", "pyautogui.mouseUp", "pyautogui.tripleClick", "pyautogui.moveRel", "time.sleep",
                "pyautogui.sleep", "pyautogui.typewrite").next(random);
        List<String> args = Gen.oneOf(
                        Gen.of("1", "-1", "0", "-0.5", "1e308", "-1e308", "1e-9", "100001", "(1, 2)", "[3, 4, 5]", "None",
                                "True", "'a'", "['a', 'nokey']", "'left'", "9223372036854775807", "[]", "()", "((1,),)"),
                        Gen.of("x=", "y=", "clicks=", "interval=", "button=", "presses=", "secs=", "seconds=",
                                "mouseDownUp=", "message=", "keys=", "duration=").flatMap(k -> Gen.of("1", "-1", "60.001",
                                "'right'", "None", "1e300", "[]").map(v -> k + v)))
                .list(0, 5).next(random);
        return function + "(" + String.join(", ", args) + ")";
    };

    private static final Gen<String> PROGRAM = Gen.frequency(
            Gen.weight(3, TOKEN.list(0, 40).map(parts -> String.join("", parts))),
            Gen.weight(3, Gen.of("; ", "\n").flatMap(separator -> CALL.list(1, 4).map(calls -> String.join(separator, calls)))),
            Gen.weight(1, Gen.anyStrings(200)));

    @Test
    void answersAProgramOrARefusalWhateverTheCode() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int n = 0; n < CASES; n++) {
            String code = PROGRAM.next(random);
            if (random.nextInt(4) == 0) {
                code = mutate(code, random);
            }
            check(code, "seed " + SEED + " (replay: -Dfuzz.seed=" + SEED + "), case " + n);
        }
    }

    /** Inputs chosen to break a hand-written parser: deep nesting, huge or negative waits, odd characters. */
    @ParameterizedTest
    @ValueSource(strings = {
        "time.sleep(-1)",
        "pyautogui.sleep(-0.001)",
        "time.sleep(-1e309)",
        "time.sleep(1e309)",
        "time.sleep(1e308)",
        "pyautogui.sleep(9223372036854775807)",
        "time.sleep(-1); time.sleep(119)",
        "pyautogui.press('a', presses=1000, interval=60)",
        "pyautogui.click(clicks=100, interval=60)",
        "pyautogui.write('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', interval=60)",
        "pyautogui.hotkey('ctrl', 'shift', 'a', interval=60)",
        "pyautogui.click(*[1, 2])",
        "pyautogui.click(**{})",
        "pyautogui.click(1 if True else 2)",
        "pyautogui.click(x=-9223372036854775808)",
        "\\",
        "'",
        "pyautogui.click(",
        "pyautogui.click(\n",
        "(((",
        ")))",
        "]",
        "= 1",
        "pyautogui",
        "pyautogui.",
        "pyautogui.write('\\N{LATIN SMALL LETTER A}' '\\U0001F600' u'\\x00')",
        "\u0000",
        "\ud800",
        "pyautogui.click(\u0663, 4)",
    })
    void neverThrowsAnythingButARefusal(String code) {
        check(code, code);
    }

    @Test
    void survivesDeepNesting() {
        for (String open : List.of("[", "(")) {
            String code = "pyautogui.click(" + open.repeat(100_000);
            check(code, "nesting " + open);
            assertThrows(PythonSubsetException.class, () -> PyautoguiCompiler.compile(code, BUDGET));
        }
    }

    private static void check(String code, String what) {
        PyautoguiCompiler.Program program;
        try {
            program = PyautoguiCompiler.compile(code, BUDGET);
        } catch (PythonSubsetException refused) {
            assertTrue(refused.getMessage() != null && refused.getMessage().startsWith("line "),
                    what + ": a refusal names its line: " + refused.getMessage());
            return;
        } catch (RuntimeException | StackOverflowError e) {
            fail(what + ": " + e + " for code " + printable(code), e);
            return;
        }
        long waited = 0;
        for (DesktopAction action : program.actions()) {
            assertTrue(action.waitMillis() >= 0, what + ": negative wait in " + action);
            waited += action.waitMillis();
        }
        assertTrue(waited <= BUDGET.toMillis(), what + ": waits " + waited + " ms over the budget for " + printable(code));
    }

    private static String mutate(String code, SplittableRandom random) {
        if (code.isEmpty()) {
            return code;
        }
        int at = random.nextInt(code.length());
        return switch (random.nextInt(3)) {
            case 0 -> code.substring(0, at);
            case 1 -> code.substring(0, at) + code.substring(at + 1);
            default -> code.substring(0, at) + TOKEN.next(random) + code.substring(at);
        };
    }

    private static String printable(String code) {
        StringBuilder out = new StringBuilder();
        code.codePoints().limit(300).forEach(c -> out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c)
                : String.valueOf((char) c)));
        return out.toString();
    }
}

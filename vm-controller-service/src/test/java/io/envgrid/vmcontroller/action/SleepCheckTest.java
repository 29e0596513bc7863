package io.envgrid.vmcontroller.action;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which sleeps {@link SleepCheck} reads as negative: literals only, outside strings and comments. */
class SleepCheckTest {

    @Test
    void negativeLiteralsAreFound() {
        for (String code : List.of("time.sleep(-1)", "time.sleep( -0.5 )", "time.sleep(-.5)", "time.sleep(-1e3)",
                "time.sleep(-1_000)", "time.sleep(-0x10)", "time.sleep(-0b1)", "time.sleep(-0o7)", "time . sleep(- 2,)",
                "pyautogui.sleep(-1)", "time.sleep(secs=-1)", "x = 'a'; time.sleep(-1)", "'''doc'''\ntime.sleep(-1)")) {
            assertEquals(true, SleepCheck.negativeSleep(code).isPresent(), code);
        }
        assertEquals(Optional.of("time.sleep(-3)"), SleepCheck.negativeSleep("pyautogui.click()\ntime.sleep(-3)\n"));
    }

    @Test
    void everythingElseIsLeftToTheVm() {
        for (String code : List.of("time.sleep(1)", "time.sleep(-0)", "time.sleep(-0.0)", "time.sleep(-0x0)",
                "time.sleep(x - 1)", "time.sleep(-x)", "time.sleep(-1 + 2)", "mytime.sleep(-1)", "a.time.sleep(-1)",
                "pyautogui.write('time.sleep(-1)')", "pyautogui.write(\"time.sleep(-1)\")",
                "pyautogui.write(r'\\'time.sleep(-1)')", "pyautogui.write('''\ntime.sleep(-1)''')",
                "# time.sleep(-1)\npyautogui.click()", "pyautogui.moveRel(-10, -5)")) {
            assertEquals(Optional.empty(), SleepCheck.negativeSleep(code), code);
        }
    }
}

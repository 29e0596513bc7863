package io.envgrid.deviceagent.x11;

import static io.envgrid.deviceagent.support.OsWorldCalls.pyautogui;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.deviceagent.support.WithXvfb;
import io.envgrid.deviceagent.support.Xvfb;
import io.envgrid.testsupport.x11.TypedText;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Text in any script typed through the desktop endpoint ({@code pyautogui.typewrite}) arrives intact in real
 * applications ({@link TypedText}): what an xterm's {@code cat} wrote to a file, and what a GTK 3 entry holds when
 * Return activates it. The text mixes a layout's own letters, Latin-1 ones the US layout lacks, Cyrillic, CJK, a
 * combining mark and an emoji (no key anywhere, so each goes through a bound spare keycode), and tab and newline in
 * pyautogui's meaning. The gateway's {@code DesktopFlowTest} types the same text through the whole path.
 */
@QuarkusTest
@WithXvfb
class UnicodeTypingTest {

    /** Everything but tab and newline; "e" + U+0301 is a combining acute after a plain e. */
    private static final String WORDS = "Grüße Привет 世界 ½ e\u0301 🙂 Ab";

    @Test
    void aTerminalReceivesEveryCharacter() {
        Path dir = Path.of("target", "unicode-xterm").toAbsolutePath();
        try (TypedText.Terminal terminal = TypedText.Terminal.open(Xvfb.display(), dir, "60x4+640+560")) {
            pyautogui("pyautogui.moveTo(800, 600); pyautogui.typewrite('" + WORDS + "\\tX\\nY\\n')")
                    .body("status", equalTo("success")).body("returncode", equalTo(0));
            assertEquals(WORDS + "\tX\nY\n", terminal.awaitLines(2, Duration.ofSeconds(10)));
        }
    }

    @Test
    void aGtkEntryReceivesEveryCharacter() {
        Path dir = Path.of("target", "unicode-gtk").toAbsolutePath();
        try (TypedText.GtkEntry entry = TypedText.GtkEntry.open(Xvfb.display(), dir, 640, 660)) {
            pyautogui("pyautogui.moveTo(700, 670); pyautogui.write('" + WORDS + "'); pyautogui.press('enter')")
                    .body("status", equalTo("success")).body("returncode", equalTo(0));
            assertEquals(WORDS, entry.awaitActivated(Duration.ofSeconds(10)));
        }
    }
}

package io.envgrid.deviceagent.x11;

import static io.envgrid.deviceagent.support.OsWorldCalls.pyautogui;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.WithXvfb;
import io.envgrid.deviceagent.support.Xvfb;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Text in any script typed through the desktop endpoint ({@code pyautogui.typewrite}) arrives intact in real
 * applications: what an xterm's {@code cat} wrote to a file, and what a GTK 3 entry holds when Return activates it.
 * The text mixes a layout's own letters, Latin-1 ones the US layout lacks, Cyrillic, CJK, a combining mark and an
 * emoji (no key anywhere, so each goes through a bound spare keycode), and tab and newline in pyautogui's meaning.
 */
@QuarkusTest
@WithXvfb
class UnicodeTypingTest {

    /** Everything but tab and newline; "e" + U+0301 is a combining acute after a plain e. */
    private static final String WORDS = "Grüße Привет 世界 ½ e\u0301 🙂 Ab";

    @Test
    void aTerminalReceivesEveryCharacter() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "unicode-xterm").toAbsolutePath());
        Path out = dir.resolve("typed.txt");
        Files.deleteIfExists(out);
        // a UTF-8 xterm whose only job is `cat > typed.txt`: each line reaches the file when Return is typed
        Xvfb.client(dir, null, "env", "LC_ALL=C.UTF-8", "xterm", "-u8", "-geometry", "60x4+640+560",
                "-e", "sh", "-c", "stty -echo; cat > typed.txt");
        Conditions.await(() -> Files.exists(out), "the xterm's cat started");
        pyautogui("pyautogui.moveTo(800, 600); pyautogui.typewrite('" + WORDS + "\\tX\\nY\\n')")
                .body("status", equalTo("success")).body("returncode", equalTo(0));
        String expected = WORDS + "\tX\nY\n";
        Conditions.await(() -> read(out).equals(expected) || read(out).length() >= expected.length(), "both lines in the file");
        assertEquals(expected, read(out));
    }

    @Test
    void aGtkEntryReceivesEveryCharacter() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "unicode-gtk").toAbsolutePath());
        Path out = dir.resolve("entry.txt");
        Files.deleteIfExists(out);
        Path script = Path.of("src", "test", "resources", "gtk", "entry_window.py").toAbsolutePath();
        // the simple input method: keysyms to text without an IBus daemon; no AT-SPI bus wanted here
        Xvfb.client(dir, out, "env", "LC_ALL=C.UTF-8", "PYTHONIOENCODING=utf-8", "GTK_IM_MODULE=gtk-im-context-simple",
                "NO_AT_BRIDGE=1", "/usr/bin/python3", script.toString(), "640", "660");
        Conditions.await(() -> read(out).contains("READY"), "the GTK entry has the focus");
        pyautogui("pyautogui.moveTo(700, 670); pyautogui.write('" + WORDS + "'); pyautogui.press('enter')")
                .body("status", equalTo("success")).body("returncode", equalTo(0));
        Conditions.await(() -> read(out).contains("TEXT["), "the entry activated");
        String printed = read(out);
        assertEquals(WORDS, printed.substring(printed.indexOf("TEXT[") + 5, printed.lastIndexOf(']')));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}

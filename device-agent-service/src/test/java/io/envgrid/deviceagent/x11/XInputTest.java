package io.envgrid.deviceagent.x11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.envgrid.deviceagent.support.XServerProcess;
import io.envgrid.deviceagent.x11.wire.ConnectionSetup;
import io.envgrid.deviceagent.x11.wire.Requests;
import io.envgrid.deviceagent.x11.wire.X11Connection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The agent's X connection on an Xvfb of the test's own: reconnection, keysym names, spare-keycode bindings. */
class XInputTest {

    /** U+20AC as its Unicode keysym (the legacy EuroSign 0x20ac is another code). */
    private static final int EURO = 0x010020ac;

    @Test
    void aRestartedServerIsReconnectedToOnTheNextCall() {
        try (XServerProcess server = XServerProcess.start()) {
            XDisplay display = new XDisplay(Optional.of(server.display()));
            XInput input = new XInput(display);
            input.moveTo(10, 20);
            assertEquals(new XInput.CursorPosition(10, 20), input.cursor());
            server.restart();
            input.moveTo(30, 40);
            assertEquals(new XInput.CursorPosition(30, 40), input.cursor());
            assertEquals(new XInput.ScreenSize(640, 480), input.screenSize());
            server.stop();
            assertThrows(X11Exception.Unreachable.class, input::cursor);
            display.close();
        }
    }

    @Test
    void namesOutsideTheKeysymTableAndAMissingDisplayAreRefused() {
        XInput input = new XInput(new XDisplay(Optional.empty()));
        assertThrows(X11Exception.Unsupported.class, () -> input.key("NoSuchKey"));
        assertThrows(X11Exception.NoDisplay.class, () -> input.key("Return"));
        assertEquals(0xff55, Keysyms.forName("Page_Up"));
        assertEquals(0xffab, Keysyms.forName("KP_Add"));
        assertEquals(0x01000416, Keysyms.forName("Ж"));
        assertEquals(0x01000416, Keysyms.forName("U+0416"));
        assertEquals(0xfc, Keysyms.forName("udiaeresis"));
    }

    @Test
    void aKeysymWithoutAKeyIsBoundToOneSpareKeycodeUntilTheConnectionCloses() {
        try (XServerProcess server = XServerProcess.start()) {
            XDisplay display = new XDisplay(Optional.of(server.display()));
            XInput input = new XInput(display);
            input.key("U+20AC");
            input.type("€€", 0);
            // one keycode for press and release, reused for the next presses
            assertEquals(List.of(EURO), boundKeysyms(server, Set.of(EURO)));
            display.close();
            assertEquals(List.of(), boundKeysyms(server, Set.of(EURO)));
        }
    }

    @Test
    void moreCharactersWithoutKeysThanSpareKeycodesReuseTheLeastRecentlyUsed() {
        try (XServerProcess server = XServerProcess.start()) {
            XDisplay display = new XDisplay(Optional.of(server.display()));
            XInput input = new XInput(display);
            StringBuilder text = new StringBuilder();
            Set<Integer> keysyms = new HashSet<>();
            // 60 CJK ideographs: more than any default keymap has unused keycodes
            for (int c = 0x4e00; c < 0x4e00 + 60; c++) {
                text.appendCodePoint(c);
                keysyms.add(0x01000000 + c);
            }
            input.type(text.toString(), 0);
            List<Integer> bound = boundKeysyms(server, keysyms);
            assertEquals(new HashSet<>(bound).size(), bound.size(), "each keysym on one keycode");
            // the last one typed is still bound: it was the most recently used
            assertEquals(true, bound.contains(0x01000000 + 0x4e00 + 59));
            display.close();
            assertEquals(List.of(), boundKeysyms(server, keysyms));
        }
    }

    /** Keysyms among {@code wanted} the server's mapping has in column 0 of some keycode, one entry per keycode. */
    private static List<Integer> boundKeysyms(XServerProcess server, Set<Integer> wanted) {
        try (X11Connection x = X11Connection.open(server.display(), Duration.ofSeconds(10), Path.of("target", "no-xauthority"))) {
            ConnectionSetup setup = x.setup();
            Requests.KeyboardMapping mapping = Requests.keyboardMapping(x, setup.minKeycode(), setup.maxKeycode() - setup.minKeycode() + 1);
            List<Integer> found = new java.util.ArrayList<>();
            for (int k = setup.minKeycode(); k <= setup.maxKeycode(); k++) {
                if (wanted.contains(mapping.keysym(k, 0))) {
                    found.add(mapping.keysym(k, 0));
                }
            }
            return found;
        }
    }
}

package io.envgrid.deviceagent.x11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.desktopkeys.Key;
import io.envgrid.desktopkeys.KeyTable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shared key table ({@code desktop-keys}) names keys by their X keysym names; the agent's X connection turns
 * those names into codes ({@link Keysyms}). A name of the table the agent cannot resolve would be accepted by every
 * service and then fail on the display, so every one must resolve.
 */
class KeysymsTest {

    @Test
    void everyKeysymOfTheSharedTableResolves() {
        List<String> unresolved = new ArrayList<>();
        for (Key key : KeyTable.keys()) {
            key.keysym().ifPresent(name -> {
                try {
                    Keysyms.forName(name);
                } catch (X11Exception.Unsupported e) {
                    unresolved.add(name);
                }
            });
        }
        assertTrue(unresolved.isEmpty(), "keysym names of the shared table the agent cannot press: " + unresolved);
    }

    @Test
    void codesFollowKeysymdef() {
        // spot checks against keysymdef.h / XF86keysym.h
        assertEquals(0xff0d, Keysyms.forName("Return"));
        assertEquals(0xff55, Keysyms.forName("Prior"));
        assertEquals(0x2d, Keysyms.forName("minus"));
        assertEquals(0x1008ff33, Keysyms.forName("XF86MyComputer"));
        assertEquals(0xff23, Keysyms.forName("Henkan_Mode"));
        assertEquals(0xff38, Keysyms.forName("Hangul_Jeonja"));
    }
}

package io.envgrid.deviceagent.x11;

import io.envgrid.deviceagent.x11.wire.Requests;
import io.envgrid.deviceagent.x11.wire.X11Connection;
import io.envgrid.deviceagent.x11.wire.XTest;
import java.util.HashSet;
import java.util.Set;

/**
 * One open connection to the display with what is known about it: the root window, XTEST, the keyboard mapping.
 * Used only under {@link XDisplay}'s lock.
 */
final class XSession implements AutoCloseable {

    final X11Connection connection;
    final XTest xtest;
    final Keyboard keyboard;
    final int root;
    /** Keycodes pressed with a NumLock this session locked for them, to unlock at their release. */
    private final Set<Integer> numLockedFor = new HashSet<>();

    XSession(X11Connection connection) {
        this.connection = connection;
        this.xtest = XTest.on(connection);
        this.keyboard = new Keyboard(connection);
        this.root = connection.setup().root();
    }

    /**
     * Presses (or releases) a keysym with what its column needs: Shift held around it, or NumLock locked for its
     * press when it was not (and unlocked again after its release).
     */
    void key(int keysym, boolean press) {
        Keyboard.Stroke stroke = keyboard.stroke(keysym);
        switch (stroke.level()) {
            case PLAIN -> xtest.key(stroke.keycode(), press);
            case SHIFT -> {
                if (press) {
                    xtest.key(keyboard.shiftKeycode(), true);
                }
                xtest.key(stroke.keycode(), press);
                if (!press) {
                    xtest.key(keyboard.shiftKeycode(), false);
                }
            }
            case NUM_LOCK -> {
                if (press) {
                    boolean locked = (Requests.modifierState(connection, root) & keyboard.numLockMask()) != 0;
                    if (!locked) {
                        tap(keyboard.numLockKeycode());
                        numLockedFor.add(stroke.keycode());
                    }
                    xtest.key(stroke.keycode(), true);
                } else {
                    xtest.key(stroke.keycode(), false);
                    if (numLockedFor.remove(stroke.keycode())) {
                        tap(keyboard.numLockKeycode());
                    }
                }
            }
        }
    }

    /** A lock key pressed and released: toggles its lock. */
    private void tap(int keycode) {
        xtest.key(keycode, true);
        xtest.key(keycode, false);
    }

    @Override
    public void close() {
        connection.close();
    }
}

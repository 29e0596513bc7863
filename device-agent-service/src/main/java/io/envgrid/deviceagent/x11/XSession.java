package io.envgrid.deviceagent.x11;

import io.envgrid.deviceagent.x11.wire.X11Connection;
import io.envgrid.deviceagent.x11.wire.XTest;

/**
 * One open connection to the display with what is known about it: the root window, XTEST, the keyboard mapping.
 * Used only under {@link XDisplay}'s lock.
 */
final class XSession implements AutoCloseable {

    final X11Connection connection;
    final XTest xtest;
    final Keyboard keyboard;
    final int root;

    XSession(X11Connection connection) {
        this.connection = connection;
        this.xtest = XTest.on(connection);
        this.keyboard = new Keyboard(connection);
        this.root = connection.setup().root();
    }

    /** Presses (or releases) a keysym, Shift included when the layout needs it. */
    void key(int keysym, boolean press) {
        Keyboard.Stroke stroke = keyboard.stroke(keysym);
        if (press && stroke.shifted()) {
            xtest.key(stroke.shiftKeycode(), true);
        }
        xtest.key(stroke.keycode(), press);
        if (!press && stroke.shifted()) {
            xtest.key(stroke.shiftKeycode(), false);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}

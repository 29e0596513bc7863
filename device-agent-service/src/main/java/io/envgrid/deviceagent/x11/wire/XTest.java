package io.envgrid.deviceagent.x11.wire;

import io.envgrid.deviceagent.x11.X11Exception;
import java.nio.ByteBuffer;

/**
 * The XTEST extension's FakeInput request ("XTEST Extension Protocol", version 2.2, X Consortium): the server
 * handles a faked key, button or motion event as if the device produced it, so it reaches whichever window holds
 * the focus or the pointer. Found once per connection by QueryExtension.
 */
public final class XTest {

    private static final String NAME = "XTEST";
    private static final int FAKE_INPUT = 2;
    private static final int FAKE_INPUT_UNITS = 9;
    public static final int KEY_PRESS = 2;
    public static final int KEY_RELEASE = 3;
    public static final int BUTTON_PRESS = 4;
    public static final int BUTTON_RELEASE = 5;
    public static final int MOTION_NOTIFY = 6;

    private final X11Connection connection;
    private final int opcode;

    private XTest(X11Connection connection, int opcode) {
        this.connection = connection;
        this.opcode = opcode;
    }

    /** XTEST on this connection; {@link X11Exception.Unreachable} when the server does not offer it. */
    public static XTest on(X11Connection connection) {
        int opcode = Requests.extensionOpcode(connection, NAME);
        if (opcode < 0) {
            throw new X11Exception.Unreachable("the X server has no XTEST extension, so input cannot be sent");
        }
        return new XTest(connection, opcode);
    }

    /** A key press or release of a keycode. */
    public void key(int keycode, boolean press) {
        fake(press ? KEY_PRESS : KEY_RELEASE, keycode, 0, 0, 0);
    }

    /** A pointer button press or release (1 left, 2 middle, 3 right, 4-7 wheel). */
    public void button(int button, boolean press) {
        fake(press ? BUTTON_PRESS : BUTTON_RELEASE, button, 0, 0, 0);
    }

    /** Moves the pointer to an absolute position on this root window. */
    public void motion(int root, int x, int y) {
        fake(MOTION_NOTIFY, 0, root, x, y);
    }

    private void fake(int type, int detail, int root, int x, int y) {
        // type, detail, 2 unused, time (0: now), root, 8 unused, rootX, rootY, 7 unused, deviceid
        ByteBuffer b = Requests.request(opcode, FAKE_INPUT, FAKE_INPUT_UNITS)
                .put((byte) type).put((byte) detail).putShort((short) 0).putInt(0).putInt(root)
                .putLong(0).putShort((short) x).putShort((short) y);
        connection.send(b);
    }
}

package io.envgrid.deviceagent.x11.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The core requests this client sends, encoded as X Window System Protocol Appendix B ("Protocol Encoding")
 * lays them out, and their replies decoded. Each method sends on the given connection; those with a reply wait for
 * it. Lengths are in 4-byte units, as on the wire.
 */
public final class Requests {

    static final int GET_GEOMETRY = 14;
    static final int QUERY_POINTER = 38;
    static final int GET_IMAGE = 73;
    static final int QUERY_EXTENSION = 98;
    static final int CHANGE_KEYBOARD_MAPPING = 100;
    static final int GET_KEYBOARD_MAPPING = 101;
    static final int GET_MODIFIER_MAPPING = 119;
    private static final int Z_PIXMAP = 2;
    private static final int ALL_PLANES = 0xffffffff;

    private Requests() {
    }

    /** A request of opcode and length only (GetInputFocus and the like). */
    static ByteBuffer bare(int opcode) {
        return request(opcode, 0, 1);
    }

    /** A request buffer with its first 4 bytes written: opcode, the data byte, the length in 4-byte units. */
    static ByteBuffer request(int opcode, int data, int units) {
        ByteBuffer b = ByteBuffer.allocate(units * 4).order(ByteOrder.LITTLE_ENDIAN);
        return b.put((byte) opcode).put((byte) data).putShort((short) units);
    }

    /** Width, height and depth of a drawable (GetGeometry). */
    public static Geometry geometry(X11Connection x, int drawable) {
        ByteBuffer r = x.reply(x.send(request(GET_GEOMETRY, 0, 2).putInt(drawable)));
        return new Geometry(ConnectionSetup.u16(r, 16), ConnectionSetup.u16(r, 18), r.get(1) & 0xff);
    }

    /** The pointer's position relative to the root window (QueryPointer). */
    public static Point pointer(X11Connection x, int root) {
        ByteBuffer r = x.reply(x.send(request(QUERY_POINTER, 0, 2).putInt(root)));
        return new Point(r.getShort(16), r.getShort(18));
    }

    /**
     * The logical state of the modifiers and buttons (QueryPointer's mask: bit 0 Shift, 1 Lock, 2 Control, 3-7
     * Mod1-Mod5, 8-12 buttons 1-5); a locked modifier such as NumLock shows as its bit set.
     */
    public static int modifierState(X11Connection x, int root) {
        ByteBuffer r = x.reply(x.send(request(QUERY_POINTER, 0, 2).putInt(root)));
        return ConnectionSetup.u16(r, 24);
    }

    /**
     * A rectangle of a drawable in ZPixmap format (GetImage): the reply whole, pixel data from byte 32 on, rows
     * padded to the format's scanline pad.
     */
    public static ByteBuffer zPixmap(X11Connection x, int drawable, int width, int height) {
        ByteBuffer b = request(GET_IMAGE, Z_PIXMAP, 5).putInt(drawable).putShort((short) 0).putShort((short) 0)
                .putShort((short) width).putShort((short) height).putInt(ALL_PLANES);
        return x.reply(x.send(b));
    }

    /** The keysyms of {@code count} keycodes from {@code first} (GetKeyboardMapping). */
    public static KeyboardMapping keyboardMapping(X11Connection x, int first, int count) {
        ByteBuffer r = x.reply(x.send(request(GET_KEYBOARD_MAPPING, 0, 2).put((byte) first).put((byte) count)));
        int perKeycode = r.get(1) & 0xff;
        int[] keysyms = new int[count * perKeycode];
        r.position(32);
        r.asIntBuffer().get(keysyms, 0, Math.min(keysyms.length, r.remaining() / 4));
        return new KeyboardMapping(first, perKeycode, keysyms);
    }

    /** Sets the keysyms of consecutive keycodes from {@code first}, {@code perKeycode} each (ChangeKeyboardMapping). */
    public static void changeKeyboardMapping(X11Connection x, int first, int perKeycode, int[] keysyms) {
        int count = keysyms.length / perKeycode;
        ByteBuffer b = request(CHANGE_KEYBOARD_MAPPING, count, 2 + keysyms.length)
                .put((byte) first).put((byte) perKeycode).putShort((short) 0);
        for (int keysym : keysyms) {
            b.putInt(keysym);
        }
        x.send(b);
    }

    /** The keycodes of the eight modifiers, Shift first (GetModifierMapping): {@code [modifier][i]}, 0 unused. */
    public static int[][] modifierMapping(X11Connection x) {
        ByteBuffer r = x.reply(x.send(bare(GET_MODIFIER_MAPPING)));
        int perModifier = r.get(1) & 0xff;
        int[][] keycodes = new int[8][perModifier];
        for (int m = 0; m < 8; m++) {
            for (int i = 0; i < perModifier; i++) {
                keycodes[m][i] = r.get(32 + m * perModifier + i) & 0xff;
            }
        }
        return keycodes;
    }

    /** The major opcode of an extension, or -1 when the server lacks it (QueryExtension). */
    public static int extensionOpcode(X11Connection x, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = request(QUERY_EXTENSION, 0, 2 + ConnectionSetup.pad(bytes.length) / 4)
                .putShort((short) bytes.length).putShort((short) 0).put(bytes);
        ByteBuffer r = x.reply(x.send(b));
        return r.get(8) != 0 ? r.get(9) & 0xff : -1;
    }

    /** A drawable's size in pixels and its depth. */
    public record Geometry(int width, int height, int depth) {
    }

    /** A position in root-window pixels. */
    public record Point(int x, int y) {
    }

    /**
     * Keysyms of consecutive keycodes: {@code keysyms[(keycode - first) * perKeycode + column]}, 0 for NoSymbol.
     * Columns 0 and 1 are group 1 without and with Shift (Protocol section 5, "Keyboards").
     */
    public record KeyboardMapping(int first, int perKeycode, int[] keysyms) {

        /** The keysym in this column of a keycode, 0 outside the mapping. */
        public int keysym(int keycode, int column) {
            int at = (keycode - first) * perKeycode + column;
            return column < perKeycode && at >= 0 && at < keysyms.length ? keysyms[at] : 0;
        }

        /** Keycodes this mapping covers. */
        public int count() {
            return perKeycode == 0 ? 0 : keysyms.length / perKeycode;
        }
    }
}

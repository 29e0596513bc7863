package io.envgrid.deviceagent.x11.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * What the server says about itself when a connection opens (X Window System Protocol, section 8 "Connection
 * Setup"), reduced to what this client uses: the first screen's root window and visual, the pixmap formats, the
 * keycode range and the longest request.
 *
 * @param minKeycode the lowest keycode the server reports (at least 8)
 * @param maxKeycode the highest keycode (at most 255)
 * @param maxRequestUnits the longest request in 4-byte units
 * @param imageLsbFirst image byte order: true for LSBFirst
 * @param bitsPerPixel bits per pixel of each depth in a ZPixmap
 * @param root the first screen's root window
 * @param rootDepth its depth
 * @param redMask, greenMask, blueMask the root visual's colour masks (a TrueColor visual)
 */
public record ConnectionSetup(int minKeycode, int maxKeycode, int maxRequestUnits, boolean imageLsbFirst,
        Map<Integer, Integer> bitsPerPixel, int root, int rootDepth, int redMask, int greenMask, int blueMask) {

    /** Reads the success reply's body (the bytes after its first 8) sent in little-endian order. */
    static ConnectionSetup parse(ByteBuffer body) {
        ByteBuffer b = body.order(ByteOrder.LITTLE_ENDIAN);
        // offsets below count from the start of the reply, the body starts at 8
        int vendorLength = u16(b, 24 - 8);
        int maxRequest = u16(b, 26 - 8);
        int formats = u8(b, 29 - 8);
        boolean lsbFirst = u8(b, 30 - 8) == 0;
        int minKeycode = u8(b, 34 - 8);
        int maxKeycode = u8(b, 35 - 8);
        int at = 40 - 8 + pad(vendorLength);
        Map<Integer, Integer> bpp = new HashMap<>();
        for (int i = 0; i < formats; i++, at += 8) {
            bpp.put(u8(b, at), u8(b, at + 1));
        }
        int root = b.getInt(at);
        int rootVisual = b.getInt(at + 32);
        int rootDepth = u8(b, at + 38);
        int depths = u8(b, at + 39);
        at += 40;
        for (int d = 0; d < depths; d++) {
            int visuals = u16(b, at + 2);
            at += 8;
            for (int v = 0; v < visuals; v++, at += 24) {
                if (b.getInt(at) == rootVisual) {
                    return new ConnectionSetup(minKeycode, maxKeycode, maxRequest, lsbFirst, Map.copyOf(bpp), root, rootDepth,
                            b.getInt(at + 8), b.getInt(at + 12), b.getInt(at + 16));
                }
            }
        }
        throw new IllegalArgumentException("the server's setup names root visual " + rootVisual + " but lists no such visual");
    }

    static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xff;
    }

    static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xffff;
    }

    /** Length rounded up to a multiple of 4, as the protocol pads every variable part. */
    static int pad(int length) {
        return (length + 3) & ~3;
    }
}

package io.envgrid.deviceagent.x11;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A screen dump in X Window Dump format ({@code xwd -root}), read into packed RGB. Only what X
 * servers produce for true-colour screens is accepted: ZPixmap, 24 or 32 bits per pixel.
 */
final class XwdImage {

    private static final int HEADER_FIELDS = 25;
    private static final int XWD_FILE_VERSION = 7;
    private static final int Z_PIXMAP = 2;
    private static final int COLOR_ENTRY_BYTES = 12;

    final int width;
    final int height;
    /** Row-major, three bytes (R, G, B) per pixel. */
    final byte[] rgb;

    private XwdImage(int width, int height, byte[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    static XwdImage parse(byte[] data) {
        if (data.length < HEADER_FIELDS * 4) {
            throw new IllegalArgumentException("not an XWD image: " + data.length + " bytes");
        }
        ByteBuffer header = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        int[] f = new int[HEADER_FIELDS];
        for (int i = 0; i < HEADER_FIELDS; i++) {
            f[i] = header.getInt(i * 4);
        }
        int headerSize = f[0];
        int version = f[1];
        int format = f[2];
        int width = f[4];
        int height = f[5];
        int byteOrder = f[7];
        int bitsPerPixel = f[11];
        int bytesPerLine = f[12];
        int redMask = f[14];
        int greenMask = f[15];
        int blueMask = f[16];
        int colors = f[19];
        if (version != XWD_FILE_VERSION || format != Z_PIXMAP || (bitsPerPixel != 32 && bitsPerPixel != 24)) {
            throw new IllegalArgumentException("unsupported XWD image: version " + version + ", format " + format
                    + ", " + bitsPerPixel + " bits per pixel");
        }
        long pixelsStart = (long) headerSize + (long) colors * COLOR_ENTRY_BYTES;
        if (width <= 0 || height <= 0 || pixelsStart + (long) bytesPerLine * height > data.length) {
            throw new IllegalArgumentException("truncated XWD image");
        }
        ByteOrder order = byteOrder == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        ByteBuffer pixels = ByteBuffer.wrap(data).order(order);
        int bytesPerPixel = bitsPerPixel / 8;
        byte[] rgb = new byte[width * height * 3];
        int out = 0;
        for (int y = 0; y < height; y++) {
            int row = (int) (pixelsStart + (long) y * bytesPerLine);
            for (int x = 0; x < width; x++) {
                int at = row + x * bytesPerPixel;
                int pixel = bytesPerPixel == 4 ? pixels.getInt(at) : read24(data, at, order);
                rgb[out++] = (byte) channel(pixel, redMask);
                rgb[out++] = (byte) channel(pixel, greenMask);
                rgb[out++] = (byte) channel(pixel, blueMask);
            }
        }
        return new XwdImage(width, height, rgb);
    }

    private static int read24(byte[] data, int at, ByteOrder order) {
        int b0 = data[at] & 0xff;
        int b1 = data[at + 1] & 0xff;
        int b2 = data[at + 2] & 0xff;
        return order == ByteOrder.LITTLE_ENDIAN ? b0 | b1 << 8 | b2 << 16 : b2 | b1 << 8 | b0 << 16;
    }

    /** The 8-bit value of a colour channel given its mask (e.g. 0xff0000 for red). */
    private static int channel(int pixel, int mask) {
        if (mask == 0) {
            return 0;
        }
        int shift = Integer.numberOfTrailingZeros(mask);
        int bits = Integer.bitCount(mask);
        int value = (pixel & mask) >>> shift;
        return bits >= 8 ? value >>> (bits - 8) : value << (8 - bits);
    }
}

package io.envgrid.deviceagent.x11;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes 8-bit RGB images as PNG with nothing but java.util.zip (no AWT/ImageIO, which a native
 * image would have to carry): IHDR, one zlib IDAT with filter 0 on every row, IEND.
 * <p>
 * The caller lays the pixels out as PNG scanlines ({@link #scanlines}: each row its filter byte, then its pixels), which
 * zlib takes in one piece, its output written straight into the PNG's buffer: a stream fed row by row made two native
 * calls per row (the filter byte, then the row), and packed pixels cost one more copy of the whole image (megabytes,
 * each a humongous object of the agent's small heap) and the compressed data was copied three times on its way.
 */
final class PngEncoder {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int COLOR_TYPE_RGB = 2;
    /** Length, type and CRC around a chunk's data. */
    private static final int CHUNK_FRAME = 12;
    private static final int IHDR_LENGTH = 13;

    private PngEncoder() {
    }

    /** The bytes of one scanline: the filter byte, then three per pixel. */
    static int scanline(int width) {
        return 1 + width * 3;
    }

    /** Room for the scanlines of a {@code width}×{@code height} image, every filter byte 0 (None). */
    static byte[] scanlines(int width, int height) {
        return new byte[scanline(width) * height];
    }

    /** The PNG of {@code rows}: {@link #scanlines} filled with R, G, B bytes after each row's filter byte 0. */
    static byte[] encode(int width, int height, byte[] rows) {
        if (rows.length != scanline(width) * height) {
            throw new IllegalArgumentException(rows.length + " bytes are not the scanlines of " + width + "×" + height);
        }
        // Screens compress well even at the fastest level; speed matters more for every observation.
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(rows);
            deflater.finish();
            int head = SIGNATURE.length + CHUNK_FRAME + IHDR_LENGTH + 8; // then the IDAT's length and type
            byte[] png = new byte[head + rows.length / 8 + 1024];
            int at = head;
            while (!deflater.finished()) {
                if (at == png.length) {
                    png = Arrays.copyOf(png, png.length * 2);
                }
                at += deflater.deflate(png, at, png.length - at);
            }
            int idatLength = at - head;
            png = Arrays.copyOf(png, at + 4 + CHUNK_FRAME); // the IDAT's CRC, then IEND
            ByteBuffer out = ByteBuffer.wrap(png);
            out.put(SIGNATURE);
            out.putInt(IHDR_LENGTH).put(ascii("IHDR")).putInt(width).putInt(height)
                    .put((byte) 8).put((byte) COLOR_TYPE_RGB).put((byte) 0).put((byte) 0).put((byte) 0);
            out.putInt(crc(png, SIGNATURE.length + 4, 4 + IHDR_LENGTH));
            out.putInt(idatLength).put(ascii("IDAT"));
            out.position(at);
            out.putInt(crc(png, head - 4, 4 + idatLength));
            out.putInt(0).put(ascii("IEND"));
            out.putInt(crc(png, out.position() - 4, 4));
            return png;
        } finally {
            deflater.end();
        }
    }

    /** The CRC of a chunk's type and data, {@code length} bytes from {@code from}. */
    private static int crc(byte[] png, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(png, from, length);
        return (int) crc.getValue();
    }

    private static byte[] ascii(String type) {
        return type.getBytes(StandardCharsets.US_ASCII);
    }
}

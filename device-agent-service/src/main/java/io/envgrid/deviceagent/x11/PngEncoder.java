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
 * The rows with their filter bytes are laid out in one array and handed to zlib in one piece, and its output written
 * straight into the PNG's buffer: a stream fed row by row made two native calls per row (the filter byte, then the
 * row) and the compressed data was copied three times on its way into the file.
 */
final class PngEncoder {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int COLOR_TYPE_RGB = 2;
    /** Length, type and CRC around a chunk's data. */
    private static final int CHUNK_FRAME = 12;
    private static final int IHDR_LENGTH = 13;

    private PngEncoder() {
    }

    static byte[] encode(int width, int height, byte[] rgb) {
        int stride = width * 3;
        byte[] rows = new byte[(stride + 1) * height];
        for (int y = 0; y < height; y++) {
            // rows[y * (stride + 1)] stays 0: filter type None
            System.arraycopy(rgb, y * stride, rows, y * (stride + 1) + 1, stride);
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

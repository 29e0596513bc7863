package io.envgrid.deviceagent.x11;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes 8-bit RGB images as PNG with nothing but java.util.zip (no AWT/ImageIO, which a native
 * image would have to carry): IHDR, one zlib IDAT with filter 0 on every row, IEND.
 */
final class PngEncoder {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int COLOR_TYPE_RGB = 2;

    private PngEncoder() {
    }

    static byte[] encode(int width, int height, byte[] rgb) {
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream(rgb.length / 4 + 1024);
            png.write(SIGNATURE);
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream(13);
            DataOutputStream header = new DataOutputStream(ihdr);
            header.writeInt(width);
            header.writeInt(height);
            header.writeByte(8);
            header.writeByte(COLOR_TYPE_RGB);
            header.writeByte(0);
            header.writeByte(0);
            header.writeByte(0);
            chunk(png, "IHDR", ihdr.toByteArray());
            chunk(png, "IDAT", compress(width, height, rgb));
            chunk(png, "IEND", new byte[0]);
            return png.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] compress(int width, int height, byte[] rgb) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream(rgb.length / 8 + 1024);
        // Screens compress well even at the fastest level; speed matters more for every observation.
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (DeflaterOutputStream zlib = new DeflaterOutputStream(compressed, deflater, 1 << 16)) {
            int stride = width * 3;
            for (int y = 0; y < height; y++) {
                zlib.write(0);
                zlib.write(rgb, y * stride, stride);
            }
        } finally {
            deflater.end();
        }
        return compressed.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        DataOutputStream out = new DataOutputStream(png);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(name);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }
}

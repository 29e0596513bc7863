package io.envgrid.deviceagent.x11;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The encoder's PNGs decode (ImageIO checks every chunk's CRC and the zlib stream) to the pixels given. */
class PngEncoderTest {

    @Test
    void aScreenLikeImageDecodesToItsPixels() throws Exception {
        int width = 640;
        int height = 400;
        byte[] rgb = PngEncoder.scanlines(width, height);
        for (int y = 100; y < 300; y++) {
            for (int x = 50; x < 600; x++) {
                int at = y * PngEncoder.scanline(width) + 1 + x * 3;
                rgb[at] = (byte) x;
                rgb[at + 1] = (byte) y;
                rgb[at + 2] = (byte) 200;
            }
        }
        assertDecodesTo(width, height, rgb);
    }

    @Test
    void noiseThatDoesNotCompressDecodesToItsPixels() throws Exception {
        // larger compressed than the first guess of the output's size: the buffer has to grow
        int width = 333;
        int height = 217;
        byte[] rgb = PngEncoder.scanlines(width, height);
        new Random(7).nextBytes(rgb);
        for (int y = 0; y < height; y++) {
            rgb[y * PngEncoder.scanline(width)] = 0; // filter None
        }
        assertDecodesTo(width, height, rgb);
    }

    private static void assertDecodesTo(int width, int height, byte[] rgb) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(PngEncoder.encode(width, height, rgb)));
        assertEquals(width, image.getWidth());
        assertEquals(height, image.getHeight());
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int at = y * PngEncoder.scanline(width) + 1 + x * 3;
                int expected = (rgb[at] & 0xff) << 16 | (rgb[at + 1] & 0xff) << 8 | rgb[at + 2] & 0xff;
                assertEquals(expected, image.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
            }
        }
    }
}

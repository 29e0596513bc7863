package io.envgrid.deviceagent.x11;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The pointer is drawn into the PNG's scanlines at its pixels, never over a row's filter byte. */
class CursorSpriteTest {

    @Test
    void drawsAtThePointerAndLeavesTheFilterBytes() {
        int width = 30;
        int height = 25;
        byte[] rows = PngEncoder.scanlines(width, height);
        Arrays.fill(rows, (byte) 0x55);
        for (int y = 0; y < height; y++) {
            rows[y * PngEncoder.scanline(width)] = 0;
        }
        CursorSprite.draw(rows, width, height, 25, 10); // clipped on the right
        for (int y = 0; y < height; y++) {
            assertEquals(0, rows[y * PngEncoder.scanline(width)], "filter byte of row " + y);
        }
        assertEquals(0, pixel(rows, width, 25, 10)); // the hot spot: outline, black
        assertEquals(0xffffff, pixel(rows, width, 26, 12)); // fill, white
        assertEquals(0x555555, pixel(rows, width, 24, 10)); // left of the arrow
        assertEquals(0x555555, pixel(rows, width, 25, 9)); // above it
    }

    private static int pixel(byte[] rows, int width, int x, int y) {
        int at = y * PngEncoder.scanline(width) + 1 + x * 3;
        return (rows[at] & 0xff) << 16 | (rows[at + 1] & 0xff) << 8 | rows[at + 2] & 0xff;
    }
}

package io.envgrid.deviceagent.x11;

/**
 * The pointer drawn into screenshots, as OSWorld's server pastes a cursor image at the pointer's
 * position: X leaves the cursor out of {@code xwd} dumps, and an agent that cannot see where the
 * pointer is cannot reason about hovering or dragging. A classic arrow, hot spot at its tip.
 */
final class CursorSprite {

    /** '#' outline (black), '.' fill (white), ' ' transparent; row 0 column 0 is the hot spot. */
    private static final String[] ARROW = {
        "#",
        "##",
        "#.#",
        "#..#",
        "#...#",
        "#....#",
        "#.....#",
        "#......#",
        "#.......#",
        "#........#",
        "#.........#",
        "#......#####",
        "#...#..#",
        "#..# #..#",
        "#.#  #..#",
        "##    #..#",
        "#     #..#",
        "       ##",
    };

    private CursorSprite() {
    }

    /** Draws the arrow with its tip at (x, y) into PNG scanlines ({@link PngEncoder#scanlines}), clipped to the image. */
    static void draw(byte[] rgb, int width, int height, int x, int y) {
        for (int row = 0; row < ARROW.length; row++) {
            int py = y + row;
            if (py < 0 || py >= height) {
                continue;
            }
            for (int col = 0; col < ARROW[row].length(); col++) {
                int px = x + col;
                char c = ARROW[row].charAt(col);
                if (c == ' ' || px < 0 || px >= width) {
                    continue;
                }
                byte value = c == '#' ? 0 : (byte) 0xff;
                int at = py * PngEncoder.scanline(width) + 1 + px * 3;
                rgb[at] = value;
                rgb[at + 1] = value;
                rgb[at + 2] = value;
            }
        }
    }
}

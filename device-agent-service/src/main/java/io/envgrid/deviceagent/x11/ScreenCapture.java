package io.envgrid.deviceagent.x11;

import io.envgrid.deviceagent.x11.wire.ConnectionSetup;
import io.envgrid.deviceagent.x11.wire.Requests;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Screenshots of the whole display: GetImage of the root window in ZPixmap format on the agent's X connection,
 * the pointer drawn in (as OSWorld does: X leaves it out of images), converted to PNG in-process.
 */
@ApplicationScoped
public class ScreenCapture {

    private static final int IMAGE_DATA = 32;

    private final XDisplay display;

    public ScreenCapture(XDisplay display) {
        this.display = display;
    }

    /** The screen as PNG (8-bit RGB), its current size. */
    public byte[] png() {
        Frame frame = display.with(s -> {
            Requests.Geometry size = Requests.geometry(s.connection, s.root);
            ByteBuffer image = Requests.zPixmap(s.connection, s.root, size.width(), size.height());
            Requests.Point pointer = Requests.pointer(s.connection, s.root);
            return new Frame(size.width(), size.height(), image, pointer, s.connection.setup());
        });
        byte[] rgb = rgb(frame);
        CursorSprite.draw(rgb, frame.width, frame.height, frame.pointer.x(), frame.pointer.y());
        return PngEncoder.encode(frame.width, frame.height, rgb);
    }

    /**
     * Unpacks true-colour pixels of 24 or 32 bits by the root visual's masks into R, G, B bytes, laid out as the PNG's
     * scanlines ({@link PngEncoder#scanlines}), so the encoder compresses them where they are.
     */
    static byte[] rgb(Frame frame) {
        ConnectionSetup setup = frame.setup;
        int depth = frame.image.get(1) & 0xff;
        int bits = setup.bitsPerPixel().getOrDefault(depth, 0);
        if (bits != 32 && bits != 24 || Integer.bitCount(setup.redMask()) != 8 || Integer.bitCount(setup.greenMask()) != 8
                || Integer.bitCount(setup.blueMask()) != 8) {
            throw new X11Exception.Unsupported("screen pixels of depth " + depth + " (" + bits
                    + " bits per pixel) are not 8-bit true colour; only such screens can be captured");
        }
        int bytesPerPixel = bits / 8;
        int stride = (frame.image.limit() - IMAGE_DATA) / frame.height;
        int redShift = Integer.numberOfTrailingZeros(setup.redMask());
        int greenShift = Integer.numberOfTrailingZeros(setup.greenMask());
        int blueShift = Integer.numberOfTrailingZeros(setup.blueMask());
        ByteBuffer data = frame.image.order(setup.imageLsbFirst() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        byte[] rgb = PngEncoder.scanlines(frame.width, frame.height);
        int[] row = new int[frame.width];
        int out = 0;
        for (int y = 0; y < frame.height; y++) {
            out++; // the row's filter byte: 0, None
            int at = IMAGE_DATA + y * stride;
            if (bits == 32) {
                // one bulk read per row: a 1920×1080 screen is two million pixels per screenshot
                data.position(at);
                data.asIntBuffer().get(row);
            } else {
                for (int x = 0; x < frame.width; x++) {
                    row[x] = pixel24(data, at + x * bytesPerPixel, setup.imageLsbFirst());
                }
            }
            for (int pixel : row) {
                rgb[out++] = (byte) (pixel >>> redShift);
                rgb[out++] = (byte) (pixel >>> greenShift);
                rgb[out++] = (byte) (pixel >>> blueShift);
            }
        }
        return rgb;
    }

    private static int pixel24(ByteBuffer data, int at, boolean lsbFirst) {
        int b0 = data.get(at) & 0xff;
        int b1 = data.get(at + 1) & 0xff;
        int b2 = data.get(at + 2) & 0xff;
        return lsbFirst ? b0 | b1 << 8 | b2 << 16 : b2 | b1 << 8 | b0 << 16;
    }

    /** One GetImage reply with what is needed to read it. */
    record Frame(int width, int height, ByteBuffer image, Requests.Point pointer, ConnectionSetup setup) {
    }
}

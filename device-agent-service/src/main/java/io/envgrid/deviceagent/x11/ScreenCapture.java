package io.envgrid.deviceagent.x11;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Screenshots of the whole display: {@code xwd -root}, the pointer drawn in (as OSWorld does), converted to PNG in-process. */
@ApplicationScoped
public class ScreenCapture {

    private final XDisplay display;
    private final XInput input;

    public ScreenCapture(XDisplay display, XInput input) {
        this.display = display;
        this.input = input;
    }

    public byte[] png() {
        byte[] dump = display.tool(List.of("xwd", "-root", "-silent", "-display", display.require())).stdout();
        XwdImage image;
        try {
            image = XwdImage.parse(dump);
        } catch (IllegalArgumentException e) {
            throw new X11Exception.ToolFailed("cannot read the screen dump: " + e.getMessage());
        }
        XInput.CursorPosition pointer = input.cursor();
        CursorSprite.draw(image.rgb, image.width, image.height, pointer.x(), pointer.y());
        return PngEncoder.encode(image.width, image.height, image.rgb);
    }
}

package io.envgrid.deviceagent.desktop;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Screenshots of the whole display: {@code xwd -root}, converted to PNG in-process. */
@ApplicationScoped
public class ScreenCapture {

    private final XDisplay display;

    public ScreenCapture(XDisplay display) {
        this.display = display;
    }

    public byte[] png() {
        byte[] dump = display.tool(List.of("xwd", "-root", "-silent", "-display", display.require())).stdout();
        XwdImage image;
        try {
            image = XwdImage.parse(dump);
        } catch (IllegalArgumentException e) {
            throw new DesktopException(500, "cannot read the screen dump: " + e.getMessage());
        }
        return PngEncoder.encode(image.width, image.height, image.rgb);
    }
}

package io.envgrid.deviceagent.osworld;

import static io.envgrid.deviceagent.support.AgentCalls.asService;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.WindowManagedXvfb;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The set-up routes on a desktop like the ones {@code ./envgrid up} hosts (its own Xvfb with openbox, the default
 * opener {@code xdg-open} in a home from {@code local/desktop-template}): a text file opens in a window named after it,
 * {@code close_window} asks the window manager first (the program closes on its own, it is not disconnected), and
 * {@code change_wallpaper} shows the image on the screen.
 */
@QuarkusTest
@WithTestResource(WindowManagedXvfb.class)
class WindowManagedSetupTest {

    private static final Path DIR = Path.of("target", "window-managed").toAbsolutePath();

    @Test
    void xdgOpenOpensATextFileInAWindowNamedAfterIt() throws IOException {
        // a space in the name: xdg-open hands the path to the editor as one argument
        String name = "notes " + UUID.randomUUID() + ".txt";
        Path file = Files.writeString(Files.createDirectories(DIR).resolve(name), "first line\n");
        setup("open_file", Map.of("path", file.toString())).statusCode(200)
                .body(equalTo("File opened and window activated successfully"));
        setup("close_window", Map.of("window_name", name)).statusCode(200).body(equalTo("Window closed successfully"));
        Conditions.await(() -> !WindowManagedXvfb.run("xdotool", "search", "--onlyvisible", "--name", name),
                "the editor's window closed", Duration.ofSeconds(30));
    }

    @Test
    void closeWindowAsksTheWindowManagerSoTheProgramClosesItself() throws IOException {
        String title = "polite-" + UUID.randomUUID();
        Path output = Files.createDirectories(DIR).resolve(title + ".log");
        Process message = WindowManagedXvfb.client(output, "xmessage", "-title", title, "close me");
        Conditions.await(() -> WindowManagedXvfb.run("xdotool", "search", "--onlyvisible", "--name", title),
                "the window mapped", Duration.ofSeconds(30));
        setup("close_window", Map.of("window_name", title, "strict", true)).statusCode(200)
                .body(equalTo("Window closed successfully"));
        Conditions.await(() -> !message.isAlive(), "xmessage ended", Duration.ofSeconds(30));
        // a disconnected client (xdotool windowkill) dies with "X connection to :N broken (explicit kill ...)"
        assertFalse(Files.readString(output, StandardCharsets.UTF_8).contains("broken"),
                "xmessage was asked to close, not killed: " + Files.readString(output, StandardCharsets.UTF_8));
    }

    @Test
    void changeWallpaperShowsTheImageOnTheScreen() throws IOException {
        Path image = Files.createDirectories(DIR).resolve("red-" + UUID.randomUUID() + ".png");
        BufferedImage red = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 8; x++) {
            for (int y = 0; y < 8; y++) {
                red.setRGB(x, y, 0xFF0000);
            }
        }
        ImageIO.write(red, "png", image.toFile());
        setup("change_wallpaper", Map.of("path", image.toString())).statusCode(200)
                .body(equalTo("Wallpaper changed successfully"));
        // the bottom corners: no window there, and away from wherever the pointer is drawn on one of them
        BufferedImage screen = ImageIO.read(new ByteArrayInputStream(asService().get("/screenshot").then()
                .statusCode(200).extract().asByteArray()));
        int left = screen.getRGB(1, WindowManagedXvfb.HEIGHT - 2) & 0xFFFFFF;
        int right = screen.getRGB(WindowManagedXvfb.WIDTH - 2, WindowManagedXvfb.HEIGHT - 2) & 0xFFFFFF;
        // red, and nothing else: the capture's colours need not be the file's exact values (measured: 0x830000)
        assertEquals(true, reddish(left) || reddish(right),
                "the background is the image: " + Integer.toHexString(left) + ", " + Integer.toHexString(right));
    }

    private static ValidatableResponse setup(String route, Map<String, ?> body) {
        return asService().contentType(ContentType.JSON).body(body).post("/setup/" + route).then();
    }

    private static boolean reddish(int rgb) {
        return (rgb >> 16 & 0xFF) >= 0x60 && (rgb >> 8 & 0xFF) < 0x20 && (rgb & 0xFF) < 0x20;
    }

    @Test
    void aMissingOrUnreadableWallpaperIsTheCallersMistake() throws IOException {
        setup("change_wallpaper", Map.of("path", DIR.resolve("absent.png").toString())).statusCode(404)
                .body("error.message", containsString("File not found"));
        Path text = Files.createDirectories(DIR).resolve("not-an-image.png");
        Files.writeString(text, "plain text");
        setup("change_wallpaper", Map.of("path", text.toString())).statusCode(400)
                .body("error.message", containsString("as the wallpaper"));
        asService().contentType(ContentType.JSON).body("{\"path\": 3}").post("/setup/change_wallpaper").then()
                .statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
    }
}

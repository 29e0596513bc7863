package io.envgrid.deviceagent.osworld;

import static io.envgrid.deviceagent.support.AgentCalls.asService;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.WithXvfb;
import io.envgrid.deviceagent.support.Xvfb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * OSWorld's {@code /setup/open_file}, {@code /setup/activate_window} and {@code /setup/close_window} on a real X
 * display: a real opener (vi in an xterm, {@link Xvfb#OPENER}), real windows found, raised, focused and closed.
 */
@QuarkusTest
@WithXvfb
class SetupEndpointsTest {

    private static final Path DIR = Path.of("target", "setup-endpoints").toAbsolutePath();

    @Test
    void openFileStartsTheOpenerAndWaitsForTheFilesWindow() throws IOException {
        String name = "notes-" + UUID.randomUUID() + ".txt";
        Path file = Files.createDirectories(DIR).resolve(name);
        Files.writeString(file, "first line\n");
        asService().contentType(ContentType.JSON).body(Map.of("path", file.toString())).post("/setup/open_file").then()
                .statusCode(200).body(equalTo("File opened and window activated successfully"));
        // the call returned only once the window was there, and it has the keyboard
        assertEquals(name, focusedWindowName());
        asService().contentType(ContentType.JSON).body(Map.of("window_name", name, "strict", true))
                .post("/setup/close_window").then().statusCode(200).body(equalTo("Window closed successfully"));
        Conditions.await(() -> !Xvfb.run("xdotool", "search", "--onlyvisible", "--name", name), "the window closed",
                java.time.Duration.ofSeconds(60));
    }

    @Test
    void aMissingFileIs404WithTheEnvelope() {
        asService().contentType(ContentType.JSON).body(Map.of("path", DIR.resolve("absent-" + UUID.randomUUID()).toString()))
                .post("/setup/open_file").then().statusCode(404)
                .body("error.code", equalTo("FILE_NOT_FOUND")).body("error.message", containsString("File not found"));
    }

    @Test
    void activateWindowRaisesAndFocusesByTitleOrClass() {
        String title = "activate-me-" + UUID.randomUUID();
        String other = "other-" + UUID.randomUUID();
        Process first = Xvfb.client(DIR, null, "xterm", "-T", title, "-geometry", "40x5+0+500");
        Process second = Xvfb.client(DIR, null, "xterm", "-T", other, "-geometry", "40x5+0+600");
        Conditions.await(() -> Xvfb.run("xdotool", "search", "--onlyvisible", "--name", title)
                && Xvfb.run("xdotool", "search", "--onlyvisible", "--name", other), "both windows mapped",
                java.time.Duration.ofSeconds(60));
        asService().contentType(ContentType.JSON).body(Map.of("window_name", title.toUpperCase()))
                .post("/setup/activate_window").then().statusCode(200).body(equalTo("Window activated successfully"));
        assertEquals(title, focusedWindowName(), "a case-insensitive substring of the title, as wmctrl -a");
        asService().contentType(ContentType.JSON).body(Map.of("window_name", other, "strict", true))
                .post("/setup/activate_window").then().statusCode(200);
        assertEquals(other, focusedWindowName());
        asService().contentType(ContentType.JSON).body(Map.of("window_name", "activate-me", "strict", true))
                .post("/setup/activate_window").then().statusCode(200).body(equalTo("No window matched activate-me"));
        assertEquals(other, focusedWindowName(), "strict: the whole title, so nothing changed");
        asService().contentType(ContentType.JSON).body(Map.of("window_name", title)).post("/setup/close_window").then()
                .statusCode(200);
        Conditions.await(() -> !first.isAlive(), "the closed window's program ended", java.time.Duration.ofSeconds(60));
        second.destroy();
    }

    @Test
    void badBodiesAre400AndNoCredentialIsRefused() {
        for (String body : new String[] {"{}", "{\"window_name\": 3}", "{\"window_name\": \"a\", \"strict\": \"yes\"}", "[]",
                "{\"window_name\": \"a\\u0000b\"}"}) {
            asService().contentType(ContentType.JSON).body(body.getBytes(StandardCharsets.UTF_8))
                    .post("/setup/activate_window").then().statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
        }
        asService().contentType(ContentType.JSON).body("{\"path\": \"\"}").post("/setup/open_file").then().statusCode(400);
        int status = given().contentType(ContentType.JSON).body("{\"window_name\": \"a\"}").post("/setup/close_window")
                .then().extract().statusCode();
        assertEquals(401, status, "locked like every desktop route");
    }

    private static String focusedWindowName() {
        try {
            ProcessBuilder builder = new ProcessBuilder("xdotool", "getwindowfocus", "getwindowname").redirectErrorStream(true);
            builder.environment().put("DISPLAY", Xvfb.display());
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            process.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

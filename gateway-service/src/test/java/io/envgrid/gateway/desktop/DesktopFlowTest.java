package io.envgrid.gateway.desktop;

import io.envgrid.testsupport.process.PackagedApp;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpClient;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.envgrid.gateway.support.Xvfb;
import io.envgrid.testsupport.x11.TypedText;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seed 000's flow end to end on a real desktop: an X server (Xvfb) with a terminal, the device
 * agent serving it with the OSWorld protocol and registering it with the real allocator, the real
 * vm-controller, the gateway, and the official MCP SDK as the agent, over Streamable HTTP and SSE:
 * allocate → setup → initial observation (a real screenshot) → computer actions that type a
 * command into the terminal → release. The same through the Sandbox HTTP API, in a temporary
 * session around a batch and in an explicit session. Key combinations and Unicode text, read back from
 * what real X applications received.
 */
@QuarkusTest
@WithCluster
@TestProfile(DesktopFlowTest.SandboxOnTheDesktop.class)
class DesktopFlowTest {

    /** The Sandbox API's {@code vm} backend leases the Xvfb desktop this test registers. */
    public static class SandboxOnTheDesktop implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.gateway.sandbox.profile",
                    Path.of("src/test/resources/sandbox/desktop-profile.json").toAbsolutePath().toString());
        }
    }

    static final String TYPE = "vm_e2e_desktop";
    /**
     * Latin-1 letters the US layout lacks, Cyrillic, CJK, a vulgar fraction, a combining acute after a plain e and an
     * emoji outside the BMP (a surrogate pair in Java and JSON): most have no key on the display's keyboard.
     */
    static final String UNICODE = "Grüße Привет 世界 ½ e\u0301 🙂 Ab";

    private static Xvfb xvfb;
    private static PackagedApp agent;
    private static Path workDir;

    @TestHTTPResource("/mcp")
    URL mcp;

    @TestHTTPResource("/sse")
    URL sse;

    @BeforeAll
    static void startDesktop() throws IOException {
        xvfb = Xvfb.start();
        workDir = Files.createDirectories(Path.of("target", "e2e-terminal").toAbsolutePath());
        xvfb.openTerminal(workDir);
        agent = TestCluster.get().startDesktopAgent("device-agent-desktop", "e2e", TYPE, xvfb);
    }

    @AfterAll
    static void stopDesktop() {
        if (agent != null) {
            agent.close();
        }
        if (xvfb != null) {
            xvfb.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void anAgentDrivesARealDesktopThroughTheGateway(String transport) throws IOException {
        String marker = "typed-through-" + transport;
        Files.deleteIfExists(workDir.resolve(marker));
        String worker = "e2e-" + transport + "-" + UUID.randomUUID();
        ArrayNode steps = McpClient.steps();
        TestCluster.get().awaitFree("e2e:desktop"); // a root agent resets it after each lease
        McpSteps.call(steps, "allocate_batch_resources").put("worker_id", worker).putArray("resource_types").add(TYPE);
        McpSteps.call(steps, "setup_batch_resources");
        McpSteps.call(steps, "get_batch_initial_observations");
        McpSteps.call(steps, "computer").put("action", "left_click").putArray("coordinate").add(100).add(100);
        McpSteps.call(steps, "computer").put("action", "type").put("text", "touch " + marker);
        McpSteps.call(steps, "computer").put("action", "key").put("text", "Return");
        McpSteps.call(steps, "pyautogui").put("code", "pyautogui.moveTo(640, 400)");
        McpSteps.call(steps, "computer").put("action", "cursor_position");
        McpSteps.call(steps, "computer").put("action", "screenshot");
        McpSteps.call(steps, "release_batch_resources");
        List<JsonNode> out = McpClient.run((transport.equals("sse") ? sse : mcp).toString(), transport, List.of(), steps);

        JsonNode granted = McpSteps.structured(out.get(1)).path(TYPE);
        assertEquals("e2e:desktop", granted.path("id").asText(), granted.toString());
        assertEquals("success", McpSteps.structured(out.get(2)).path("status").asText(), out.get(2).toString());
        BufferedImage screen = png(McpSteps.structured(out.get(3)).path(TYPE).path("screenshot").asText());
        assertEquals(Xvfb.WIDTH, screen.getWidth());
        assertEquals(Xvfb.HEIGHT, screen.getHeight());
        for (int i = 4; i <= 7; i++) {
            McpSteps.structured(out.get(i));
        }
        Conditions.await("the typed command ran in the terminal", java.time.Duration.ofSeconds(10),
                () -> Files.exists(workDir.resolve(marker)));
        JsonNode cursor = McpSteps.structured(out.get(8));
        assertEquals(640, cursor.path("x").asInt(), cursor.toString());
        assertEquals(400, cursor.path("y").asInt(), cursor.toString());
        JsonNode screenshot = out.get(9).path("result");
        assertEquals("image", screenshot.path("content").path(1).path("type").asText());
        assertTrue(McpSteps.structured(out.get(10)).path("details").path("e2e:desktop").asText().equals("released"));
    }

    @Test
    void theSandboxApiDrivesARealDesktopInTemporaryAndExplicitSessions() throws IOException {
        String worker = "e2e-sandbox-" + UUID.randomUUID();
        Files.deleteIfExists(workDir.resolve("typed-in-a-batch"));
        TestCluster.get().awaitFree("e2e:desktop"); // the temporary session allocates it too
        post("/execute/batch", "{\"worker_id\": \"" + worker + "\", \"actions\": ["
                + "{\"action\": \"vm:click\", \"params\": {\"x\": 100, \"y\": 100}},"
                + "{\"action\": \"vm:typing\", \"params\": {\"text\": \"touch typed-in-a-batch\"}},"
                + "{\"action\": \"vm:press\", \"params\": {\"key\": \"enter\"}}]}").then().statusCode(200)
                .body("success", equalTo(true)).body("results.temporary_session", everyItem(equalTo(true)));
        Conditions.await("the batch's command ran in the terminal", java.time.Duration.ofSeconds(10),
                () -> Files.exists(workDir.resolve("typed-in-a-batch")));
        assertEquals(0, leases(worker).size(), "the temporary session gave the desktop back");

        TestCluster.get().awaitFree("e2e:desktop");
        post("/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}").then().statusCode(200)
                .body("resource.id", equalTo("e2e:desktop"));
        Response observation = post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:observation\"}");
        observation.then().statusCode(200).body("temporary_session", equalTo(false));
        BufferedImage screen = png(observation.path("data.screenshot"));
        assertEquals(Xvfb.WIDTH, screen.getWidth());
        // every computer_13 action type, through the real vm-controller onto the real display
        Files.deleteIfExists(workDir.resolve("all-computer-13"));
        post("/execute/batch", "{\"worker_id\": \"" + worker + "\", \"stop_on_error\": true, \"actions\": ["
                + "{\"action\": \"vm:move_to\", \"params\": {\"x\": 200, \"y\": 200}},"
                + "{\"action\": \"vm:click\", \"params\": {\"x\": 210, \"y\": 200, \"button\": \"left\", \"num_clicks\": 1}},"
                + "{\"action\": \"vm:mouse_down\", \"params\": {\"button\": \"left\"}},"
                + "{\"action\": \"vm:mouse_up\", \"params\": {\"button\": \"left\"}},"
                + "{\"action\": \"vm:right_click\", \"params\": {\"x\": 220, \"y\": 200}},"
                + "{\"action\": \"vm:press\", \"params\": {\"key\": \"esc\"}},"
                + "{\"action\": \"vm:double_click\", \"params\": {\"x\": 230, \"y\": 200}},"
                + "{\"action\": \"vm:drag_to\", \"params\": {\"x\": 260, \"y\": 210}},"
                + "{\"action\": \"vm:scroll\", \"params\": {\"dx\": 0, \"dy\": -2}},"
                + "{\"action\": \"vm:key_down\", \"params\": {\"key\": \"shift\"}},"
                + "{\"action\": \"vm:key_up\", \"params\": {\"key\": \"shift\"}},"
                + "{\"action\": \"vm:hotkey\", \"params\": {\"keys\": [\"ctrl\", \"e\"]}},"
                + "{\"action\": \"vm:typing\", \"params\": {\"text\": \"touch all-computer-13\"}},"
                + "{\"action\": \"vm:press\", \"params\": {\"key\": \"enter\"}},"
                + "{\"action\": \"vm:wait\"}]}").then().statusCode(200).body("success", equalTo(true));
        Conditions.await("typed after every other action type", java.time.Duration.ofSeconds(10),
                () -> Files.exists(workDir.resolve("all-computer-13")));
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:cursor_position\"}").then()
                .body("data.x", equalTo(260)).body("data.y", equalTo(210));
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:move_to\", \"params\": {\"x\": 321, \"y\": 123}}")
                .then().statusCode(200);
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:cursor_position\"}").then().statusCode(200)
                .body("data.x", equalTo(321)).body("data.y", equalTo(123));
        post("/session/destroy", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}").then().statusCode(200);
        assertEquals(0, leases(worker).size());
    }

    /**
     * The {@code computer} tool's key combinations, the separator as a key among them, through the gateway, the real
     * vm-controller and the device agent onto the display: an {@code xev} window reads the keysyms pressed. Shift_L
     * is left out of the comparison: xdotool adds it itself to reach plus (shift+equal on a US layout).
     */
    @Test
    void keyCombinationsArriveAsPyautoguiPressesThem() {
        Path log = workDir.resolve("xev-keys.txt");
        xvfb.openEventWindow(log);
        String worker = "e2e-keys-" + UUID.randomUUID();
        ArrayNode steps = McpClient.steps();
        TestCluster.get().awaitFree("e2e:desktop"); // a root agent resets it after each lease
        McpSteps.call(steps, "allocate_batch_resources").put("worker_id", worker).putArray("resource_types").add(TYPE);
        McpSteps.call(steps, "setup_batch_resources");
        McpSteps.call(steps, "computer").put("action", "mouse_move").putArray("coordinate").add(1000).add(200);
        for (String combination : List.of("ctrl++", "ctrl+shift++", "+", "ctrl+minus", "Page_Up", "super+KP_Add")) {
            McpSteps.call(steps, "computer").put("action", "key").put("text", combination);
        }
        McpSteps.call(steps, "release_batch_resources");
        List<JsonNode> out = McpClient.run(mcp.toString(), "streamable", List.of(), steps);
        for (int i = 1; i < out.size(); i++) {
            McpSteps.structured(out.get(i));
        }
        List<String> want = List.of("Control_L", "plus", "Control_L", "plus", "plus", "Control_L", "minus", "Prior",
                "Super_L", "KP_Add");
        Conditions.await("the key presses in the xev window", java.time.Duration.ofSeconds(10),
                () -> withoutShift(Xvfb.keyPresses(log)).size() >= want.size());
        assertEquals(want, withoutShift(Xvfb.keyPresses(log)));
    }

    /**
     * Issue 12's text in several scripts typed as agents type it, through the gateway, the real vm-controller and the
     * device agent onto the display, and read back from what real applications received ({@link TypedText}), never
     * from an exit status: the {@code computer} tool's {@code type} (computer_13 {@code TYPING}, which the
     * vm-controller writes into pyautogui code as a Python literal) and pyautogui code as OSWorld sends it (the
     * characters as they are in the literal, tab and newline as escapes), one line each into a UTF-8 xterm's
     * {@code cat}; then {@code type} and the Return key into a GTK 3 entry, the window the entry is in taking the
     * keyboard itself, so it opens only once the terminal has its lines.
     */
    @Test
    void unicodeTextArrivesIntactInRealApplications() {
        String worker = "e2e-unicode-" + UUID.randomUUID();
        TestCluster.get().awaitFree("e2e:desktop"); // a root agent resets it after each lease
        try {
            try (TypedText.Terminal terminal = TypedText.Terminal.open(xvfb.display(), workDir.resolve("unicode-xterm"),
                    "60x4+640+560")) {
                ArrayNode steps = McpClient.steps();
                McpSteps.call(steps, "allocate_batch_resources").put("worker_id", worker).putArray("resource_types").add(TYPE);
                McpSteps.call(steps, "setup_batch_resources");
                // without a window manager the window under the pointer has the keyboard
                McpSteps.call(steps, "computer").put("action", "mouse_move").putArray("coordinate").add(800).add(590);
                McpSteps.call(steps, "computer").put("action", "type").put("text", UNICODE + "\tX\n");
                McpSteps.call(steps, "pyautogui").put("code", "import pyautogui\npyautogui.write('" + UNICODE + "\\tY\\n')\n");
                succeeded(McpClient.run(mcp.toString(), "streamable", List.of(), steps));
                assertEquals(UNICODE + "\tX\n" + UNICODE + "\tY\n", terminal.awaitLines(2, Duration.ofSeconds(20)));
            }
            try (TypedText.GtkEntry entry = TypedText.GtkEntry.open(xvfb.display(), workDir.resolve("unicode-gtk"), 640, 660)) {
                ArrayNode steps = McpClient.steps();
                McpSteps.call(steps, "computer").put("worker_id", worker).put("action", "type").put("text", UNICODE);
                McpSteps.call(steps, "computer").put("worker_id", worker).put("action", "key").put("text", "Return");
                McpSteps.call(steps, "release_batch_resources").put("worker_id", worker);
                succeeded(McpClient.run(mcp.toString(), "streamable", List.of(), steps));
                assertEquals(UNICODE, entry.awaitActivated(Duration.ofSeconds(20)));
            }
        } finally {
            // a failure above would otherwise hold the desktop until the lease expires, failing the next test's wait
            TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + worker + "\"}");
        }
    }

    private static void succeeded(List<JsonNode> out) {
        for (int i = 1; i < out.size(); i++) {
            McpSteps.structured(out.get(i));
        }
    }

    private static List<String> withoutShift(List<String> keys) {
        return keys.stream().filter(k -> !k.equals("Shift_L")).toList();
    }

    private static Response post(String path, String body) {
        return given().contentType("application/json").body(body).post(path);
    }

    private static JsonNode leases(String worker) {
        return McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/leases?worker_id=" + worker, null).body());
    }

    private static BufferedImage png(String base64) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
        assertTrue(image != null, "a PNG screenshot");
        return image;
    }
}

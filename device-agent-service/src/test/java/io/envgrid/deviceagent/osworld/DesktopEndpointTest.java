package io.envgrid.deviceagent.osworld;

import static io.envgrid.deviceagent.support.AgentCalls.asService;
import static io.envgrid.deviceagent.support.OsWorldCalls.cursor;
import static io.envgrid.deviceagent.support.OsWorldCalls.pyautogui;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.WithXvfb;
import io.envgrid.deviceagent.support.Xvfb;
import io.envgrid.deviceagent.support.WorkerScratch;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The OSWorld protocol on a real X display (Xvfb): real screenshots, real input through xdotool,
 * real processes. Commands are sent exactly as OSWorld's controller sends them.
 */
@QuarkusTest
@WithXvfb
class DesktopEndpointTest {

    static BufferedImage screenshot() {
        byte[] png = asService().get("/screenshot").then().statusCode(200).contentType("image/png").extract().asByteArray();
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new AssertionError("not a PNG", e);
        }
    }

    @Test
    void screenshotIsAPngOfTheDisplayShowingItsWindows() {
        BufferedImage before = screenshot();
        assertEquals(Xvfb.WIDTH, before.getWidth());
        assertEquals(Xvfb.HEIGHT, before.getHeight());
        Xvfb.client(Path.of("target"), null, "xterm", "-bg", "red", "-fg", "red", "-geometry", "30x8+0+0");
        Conditions.await(() -> (screenshot().getRGB(40, 40) & 0xffffff) == 0xff0000, "a red window in the screenshot");
        asService().post("/screen_size").then().statusCode(200).body("width", equalTo(Xvfb.WIDTH)).body("height", equalTo(Xvfb.HEIGHT));
        asService().get("/platform").then().statusCode(200).body(equalTo("Linux"));
    }

    @Test
    void thePointerIsDrawnIntoScreenshotsWhereItIs() {
        // far from the test windows, over the bare root window
        pyautogui("pyautogui.moveTo(1000, 250)").body("status", equalTo("success"));
        BufferedImage first = screenshot();
        pyautogui("pyautogui.moveTo(900, 150)");
        BufferedImage second = screenshot();
        assertEquals(0x000000, second.getRGB(900, 150) & 0xffffff, "the arrow's black outline at the tip");
        assertEquals(0xffffff, second.getRGB(901, 152) & 0xffffff, "the arrow's white fill below it");
        assertEquals(0xffffff, first.getRGB(1001, 252) & 0xffffff, "where the pointer was before");
        assertTrue(differs(first, second, 900, 150, 12, 18), "the arrow came with the pointer");
        assertTrue(differs(first, second, 1000, 250, 12, 18), "and left where it was");
    }

    @Test
    void typingIntoARealTerminalRunsWhatWasTyped() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "desktop-typing").toAbsolutePath());
        Files.deleteIfExists(dir.resolve("out.txt"));
        // a class of its own: another test's xterm on the shared display must not pass for this one while it maps
        Xvfb.client(dir, null, "xterm", "-class", "EnvgridTyping", "-geometry", "80x16+0+420");
        Conditions.await(() -> Xvfb.run("xdotool", "search", "--onlyvisible", "--class", "EnvgridTyping"),
                "the typing xterm mapped", Duration.ofSeconds(60));
        BufferedImage before = screenshot();
        pyautogui("pyautogui.click(200, 500); pyautogui.typewrite('echo hello-from-envgrid > out.txt', interval=0.01); "
                + "pyautogui.press('enter')").body("status", equalTo("success")).body("returncode", equalTo(0));
        Conditions.await(() -> Files.exists(dir.resolve("out.txt")) && read(dir.resolve("out.txt")).contains("hello-from-envgrid"),
                "the typed command ran in the terminal", Duration.ofSeconds(30)); // a shell starting on a loaded machine
        BufferedImage after = screenshot();
        assertTrue(differs(before, after, 0, 420, 480, 260), "the terminal shows what was typed");
    }

    @Test
    void clicksAndMovesLandWhereAsked() {
        pyautogui("pyautogui.moveTo(321, 123)").body("status", equalTo("success"));
        assertEquals(List.of(321, 123), cursor());
        pyautogui("pyautogui.click(x=640, y=401)");
        assertEquals(List.of(640, 401), cursor());
        pyautogui("pyautogui.moveRel(10, -1)");
        assertEquals(List.of(650, 400), cursor());
        pyautogui("pyautogui.dragTo(700, 450, duration=1.0, button='left', mouseDownUp=True)");
        assertEquals(List.of(700, 450), cursor());
        pyautogui("pyautogui.dragRel(-100, 50)");
        assertEquals(List.of(600, 500), cursor());
        pyautogui("pyautogui.moveTo((30, 40))");
        assertEquals(List.of(30, 40), cursor());
    }

    @Test
    void codeOutsideTheSubsetIsRefusedWholeAndNothingRuns() {
        pyautogui("pyautogui.moveTo(111, 222)").body("status", equalTo("success"));
        assertEquals(List.of(111, 222), cursor());
        pyautogui("pyautogui.moveTo(10, 10); os.system('touch /tmp/pwned')")
                .body("status", equalTo("error")).body("returncode", equalTo(1))
                .body("error", containsString("os.system('touch /tmp/pwned')"));
        assertEquals(List.of(111, 222), cursor(), "the first statement did not run either");
        pyautogui("pyautogui.moveTo(10, 10); pyautogui.screenshot('x.png')").body("status", equalTo("error"))
                .body("error", containsString("pyautogui.screenshot('x.png')"));
        // as pyautogui: an unknown key presses nothing, and the answer says so
        pyautogui("pyautogui.press('no-such-key')").body("status", equalTo("success"))
                .body("error", containsString("unknown key name 'no-such-key'"));
        pyautogui("pyautogui.click(1, 2, 3, 4, 'left', 0, None, False, False, 9)").body("status", equalTo("error"));
        assertEquals(List.of(111, 222), cursor());
    }

    @Test
    void commandsRunAsOsworldRunsThem() {
        asService().contentType(ContentType.JSON).body(Map.of("command", List.of("echo", "hi"), "shell", false)).post("/execute")
                .then().statusCode(200).body("status", equalTo("success")).body("output", equalTo("hi\n"))
                .body("returncode", equalTo(0));
        asService().contentType(ContentType.JSON).body(Map.of("command", "echo $((40+2)); exit 3", "shell", true)).post("/setup/execute")
                .then().statusCode(200).body("output", equalTo("42\n")).body("returncode", equalTo(3));
        asService().contentType(ContentType.JSON).body(Map.of("command", "printf '%s' 'a b'", "shell", false)).post("/execute")
                .then().statusCode(200).body("output", equalTo("a b"));
        asService().contentType(ContentType.JSON).body(Map.of("code", "import sys\nprint(6*7)\nsys.exit(0)")).post("/run_python")
                .then().statusCode(200).body("status", equalTo("success")).body("output", equalTo("42\n"))
                .body("return_code", equalTo(0));
        asService().contentType(ContentType.JSON).body(Map.of("code", "raise SystemExit(4)")).post("/run_python")
                .then().statusCode(200).body("status", equalTo("error")).body("return_code", equalTo(4));
        asService().contentType(ContentType.JSON).body(Map.of("script", "echo out; echo err >&2; exit 2", "timeout", 10))
                .post("/run_bash_script").then().statusCode(200).body("status", equalTo("error"))
                .body("output", equalTo("out\nerr\n")).body("returncode", equalTo(2)).body("error", equalTo(""));
        asService().contentType(ContentType.JSON).body(Map.of("script", "sleep 30", "timeout", 1)).post("/run_bash_script")
                .then().statusCode(408).body("output", containsString("timed out after 1 seconds"))
                .body("error.code", equalTo("COMMAND_EXECUTION_FAILED"));
        asService().contentType(ContentType.JSON).body(Map.of("script", "")).post("/run_bash_script").then().statusCode(400);
    }

    @Test
    void filesGoBothWaysAndDirectoriesAreListed() throws IOException {
        Path dir = WorkerScratch.create(Path.of("target", "desktop-files").toAbsolutePath());
        Path target = dir.resolve("sub").resolve("uploaded.txt");
        asService().multiPart("file_path", target.toString()).multiPart("file_data", "x.txt", "payload".getBytes(StandardCharsets.UTF_8))
                .post("/setup/upload").then().statusCode(200).body(equalTo("File Uploaded: 7 bytes"));
        byte[] back = asService().formParam("file_path", target.toString()).post("/file").then().statusCode(200).extract().asByteArray();
        assertArrayEquals("payload".getBytes(StandardCharsets.UTF_8), back);
        asService().formParam("file_path", dir.resolve("missing").toString()).post("/file").then().statusCode(404)
                .body("error.code", equalTo("FILE_NOT_FOUND")).body("error.message", equalTo("File not found"));
        asService().contentType(ContentType.JSON).body(Map.of("path", dir.toString())).post("/list_directory").then().statusCode(200)
                .body("directory_tree.type", equalTo("directory"))
                .body("directory_tree.children.find { it.name == 'sub' }.children[0].name", equalTo("uploaded.txt"));
        asService().contentType(ContentType.JSON).body(Map.of("path", target.toString())).post("/list_directory").then().statusCode(400);
        asService().contentType(ContentType.JSON).body(Map.of("command", List.of("touch", dir.resolve("launched").toString())))
                .post("/setup/launch").then().statusCode(200).body(containsString("launched successfully"));
        Conditions.await(() -> Files.exists(dir.resolve("launched")), "the launched program ran");
    }

    @Test
    void recordingProducesAnMp4() {
        asService().post("/end_recording").then().statusCode(400);
        asService().post("/start_recording").then().statusCode(200).body("status", equalTo("success"));
        asService().post("/start_recording").then().statusCode(400);
        pyautogui("pyautogui.moveTo(100, 100); time.sleep(0.5); pyautogui.moveTo(600, 300); time.sleep(0.5)");
        byte[] mp4 = asService().post("/end_recording").then().statusCode(200).contentType("video/mp4").extract().asByteArray();
        assertTrue(mp4.length > 1000, "an mp4 of " + mp4.length + " bytes");
        assertEquals("ftyp", new String(mp4, 4, 4, StandardCharsets.US_ASCII));
    }

    @Test
    void theAccessibilityTreeComesFromAtSpi() throws Exception {
        try (AccessibleSession session = AccessibleSession.start(Path.of("target", "a11y").toAbsolutePath())) {
            Conditions.await(() -> asService().get("/accessibility").then().statusCode(200).extract().path("AT").toString()
                    .contains("Press me"), "the GTK window in the accessibility tree");
            String xml = asService().get("/accessibility").then().statusCode(200).extract().path("AT");
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            Element root = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml))).getDocumentElement();
            assertEquals("desktop-frame", root.getTagName());
            Element button = named(root.getElementsByTagName("push-button"), "Press me");
            assertEquals("true", button.getAttributeNS(AccessibleSession.STATE_NS, "showing"), xml);
            assertEquals("true", button.getAttributeNS(AccessibleSession.STATE_NS, "enabled"));
            assertTrue(button.getAttributeNS(AccessibleSession.COMPONENT_NS, "screencoord").matches("\\(\\d+, \\d+\\)"), xml);
            assertTrue(button.getAttributeNS(AccessibleSession.COMPONENT_NS, "size").matches("\\([1-9]\\d*, [1-9]\\d*\\)"), xml);
            assertEquals("Hello label", named(root.getElementsByTagName("label"), "Hello label").getTextContent());
            // the screen's real size on the root, as the X server reports it
            assertEquals("(" + Xvfb.WIDTH + ", " + Xvfb.HEIGHT + ")", root.getAttributeNS(AccessibleSession.COMPONENT_NS, "size"));
            assertEquals("(0, 0)", root.getAttributeNS(AccessibleSession.COMPONENT_NS, "screencoord"));
            // OSWorld's action namespace: a GTK button offers "click"; text attributes of the label's text
            assertTrue(button.hasAttributeNS(AccessibleSession.ACTION_NS, "click_desc"), xml);
            assertTrue(button.hasAttributeNS(AccessibleSession.ACTION_NS, "click_kb"), xml);
            Element label = named(root.getElementsByTagName("label"), "Hello label");
            assertTrue(hasAttributeIn(label, AccessibleSession.TEXT_NS), xml);
            for (String prefix : List.of("st", "attr", "cp", "doc", "docattr", "txt", "val", "act")) {
                assertTrue(root.getAttributeNS("http://www.w3.org/2000/xmlns/", prefix)
                        .startsWith("https://accessibility.ubuntu.example.org/ns/"), prefix + " declared on the root: " + xml);
            }
        }
    }

    @Test
    void withoutPyatspiTheTreeIsEmptyWithTheReason() throws IOException {
        // the system Python without its site packages cannot import pyatspi
        Path noSite = Path.of("target", "python-without-site").toAbsolutePath();
        Files.writeString(noSite, "#!/bin/sh\nexec /usr/bin/python3 -S \"$@\"\n");
        noSite.toFile().setExecutable(true);
        Map<String, Object> answer = AccessibilityTree.read(noSite.toString(), Map.of("DISPLAY", Xvfb.display()),
                java.time.Duration.ofSeconds(20), AccessibilityTree.loadScript());
        assertEquals("", answer.get("AT"));
        assertTrue(answer.get("message").toString().contains("pyatspi is not installed"), answer.toString());
        Map<String, Object> noPython = AccessibilityTree.read("/nonexistent/python3", Map.of("DISPLAY", Xvfb.display()),
                java.time.Duration.ofSeconds(20), AccessibilityTree.loadScript());
        assertEquals("", noPython.get("AT"));
        assertTrue(noPython.get("message").toString().contains("cannot run here"), noPython.toString());
    }

    private static boolean hasAttributeIn(Element element, String namespace) {
        for (int i = 0; i < element.getAttributes().getLength(); i++) {
            if (namespace.equals(element.getAttributes().item(i).getNamespaceURI())) {
                return true;
            }
        }
        return false;
    }

    private static Element named(NodeList elements, String name) {
        for (int i = 0; i < elements.getLength(); i++) {
            Element element = (Element) elements.item(i);
            if (name.equals(element.getAttribute("name"))) {
                return element;
            }
        }
        throw new AssertionError("no element named " + name);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean differs(BufferedImage a, BufferedImage b, int x0, int y0, int width, int height) {
        for (int y = y0; y < y0 + height; y++) {
            for (int x = x0; x < x0 + width; x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    return true;
                }
            }
        }
        return false;
    }
}

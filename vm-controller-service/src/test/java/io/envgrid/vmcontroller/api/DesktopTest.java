package io.envgrid.vmcontroller.api;

import static io.envgrid.vmcontroller.support.Api.expectError;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.FakeVm;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithRedis;

/** Observations, commands, scripts, files and recordings, each with the OSWorld request it makes. */
@QuarkusTest
@WithRedis
class DesktopTest extends WithFakeVm {

    private static final String PNG_BASE64 = Base64.getEncoder().encodeToString(FakeVm.PNG);

    @Test
    void oneCallObservesScreenshotTreeSizeAndCursor() {
        Api.read(token, worker, resource, "observation").statusCode(200)
                .body("screenshot", equalTo(PNG_BASE64))
                .body("accessibility_tree", equalTo("<desktop-frame name=\"main\"/>"))
                .body("screen_size.width", equalTo(1920))
                .body("screen_size.height", equalTo(1080))
                .body("cursor.x", equalTo(10))
                .body("cursor.y", equalTo(20));
        assertEquals("GET", vm.received("/screenshot").get(0).method());
        assertEquals("GET", vm.received("/accessibility").get(0).method());
        assertEquals("POST", vm.received("/screen_size").get(0).method());
        assertEquals("GET", vm.received("/cursor_position").get(0).method());
        assertEquals(List.of(token, token, token, token),
                vm.received().stream().map(FakeVm.Received::leaseToken).toList(),
                "every VM call carries the caller's lease token");
    }

    @Test
    void eachPartCanBeReadAlone() {
        Api.read(token, worker, resource, "screenshot").statusCode(200).body("screenshot", equalTo(PNG_BASE64));
        Api.read(token, worker, resource, "accessibility").statusCode(200)
                .body("accessibility_tree", equalTo("<desktop-frame name=\"main\"/>"));
        Api.read(token, worker, resource, "screen_size").statusCode(200).body("width", equalTo(1920));
        Api.read(token, worker, resource, "cursor_position").statusCode(200).body("x", equalTo(10)).body("y", equalTo(20));
        Api.read(token, worker, resource, "platform").statusCode(200).body("platform", equalTo("Linux"));
    }

    @Test
    void commandsGoToExecuteAsGiven() {
        Api.act(token, worker, resource, "commands", Map.of("command", List.of("ls", "-la", "~/Desktop")))
                .statusCode(200).body("status", equalTo("success")).body("output", equalTo("ok\n"))
                .body("returncode", equalTo(0));
        Api.act(token, worker, resource, "commands", Map.of("command", "echo hi | wc -c", "shell", true)).statusCode(200);
        List<FakeVm.Received> sent = vm.received("/execute");
        assertEquals(new JsonObject().put("command", new JsonArray().add("ls").add("-la").add("~/Desktop"))
                .put("shell", false), sent.get(0).json());
        assertEquals(new JsonObject().put("command", "echo hi | wc -c").put("shell", true), sent.get(1).json());
        expectError(Api.act(token, worker, resource, "commands", Map.of("command", 5)), 400, "INVALID_PARAMETERS");
        expectError(Api.act(token, worker, resource, "commands", Map.of()), 400, "INVALID_PARAMETERS");
        assertEquals(2, vm.received().size());
    }

    @Test
    void pythonAndBashScriptsGoToTheirEndpoints() {
        Api.act(token, worker, resource, "python", Map.of("code", "print('hi')")).statusCode(200)
                .body("output", equalTo("hi\n")).body("return_code", equalTo(0));
        assertEquals(new JsonObject().put("code", "print('hi')"), vm.received("/run_python").get(0).json());

        Api.act(token, worker, resource, "bash", Map.of("script", "echo x", "timeout", 5, "working_dir", "/tmp"))
                .statusCode(200).body("output", equalTo("x\n"));
        assertEquals(new JsonObject().put("script", "echo x").put("timeout", 5).put("working_dir", "/tmp"),
                vm.received("/run_bash_script").get(0).json());
        expectError(Api.act(token, worker, resource, "bash", Map.of("script", "echo", "timeout", 0)), 400,
                "INVALID_PARAMETERS");
        expectError(Api.act(token, worker, resource, "python", Map.of()), 400, "INVALID_PARAMETERS");
    }

    @Test
    void launchStartsAProgram() {
        Api.act(token, worker, resource, "launch", Map.of("command", List.of("gedit"))).statusCode(200)
                .body("message", equalTo("gedit launched successfully"));
        assertEquals(new JsonObject().put("command", new JsonArray().add("gedit")).put("shell", false),
                vm.received("/setup/launch").get(0).json());
    }

    @Test
    void filesAreListedReadAndWritten() {
        Api.act(token, worker, resource, "files/list", Map.of("path", "/home/user")).statusCode(200)
                .body("directory_tree.name", equalTo("home"));
        assertEquals(new JsonObject().put("path", "/home/user"), vm.received("/list_directory").get(0).json());

        String read = Api.act(token, worker, resource, "files/read", Map.of("path", "/tmp/a b.txt")).statusCode(200)
                .body("path", equalTo("/tmp/a b.txt")).extract().path("content");
        assertEquals("content of file_path=%2Ftmp%2Fa+b.txt",
                new String(Base64.getDecoder().decode(read), StandardCharsets.UTF_8));
        assertTrue(vm.received("/file").get(0).contentType().startsWith("application/x-www-form-urlencoded"));

        String content = Base64.getEncoder().encodeToString("print(1)\n".getBytes(StandardCharsets.UTF_8));
        Api.act(token, worker, resource, "files/write", Map.of("path", "/home/user/run.py", "content", content))
                .statusCode(200).body("status", equalTo("success"));
        FakeVm.Received upload = vm.received("/setup/upload").get(0);
        assertTrue(upload.contentType().startsWith("multipart/form-data"));
        assertTrue(upload.body().contains("name=\"file_path\""));
        assertTrue(upload.body().contains("/home/user/run.py"));
        assertTrue(upload.body().contains("name=\"file_data\"; filename=\"run.py\""));
        assertTrue(upload.body().contains("print(1)\n"));

        expectError(Api.act(token, worker, resource, "files/write", Map.of("path", "/x", "content", "***")), 400,
                "INVALID_PARAMETERS");
        expectError(Api.act(token, worker, resource, "files/read", Map.of()), 400, "INVALID_PARAMETERS");
    }

    @Test
    void recordingStartsAndEndsWithTheVideo() {
        Api.as(token).post(Api.session(worker, resource) + "/recording/start").then().statusCode(200)
                .body("status", equalTo("success"));
        byte[] video = Api.as(token).post(Api.session(worker, resource) + "/recording/end").then()
                .statusCode(200).contentType("video/mp4").extract().asByteArray();
        assertArrayEquals(FakeVm.MP4, video);
        assertEquals(List.of("/start_recording", "/end_recording"),
                vm.received().stream().map(FakeVm.Received::path).toList());
    }
}

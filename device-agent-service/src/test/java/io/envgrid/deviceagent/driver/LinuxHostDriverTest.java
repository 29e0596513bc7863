package io.envgrid.deviceagent.driver;

import static io.envgrid.deviceagent.support.AgentCalls.call;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.OversizedFile;
import io.envgrid.deviceagent.support.UniqueFile;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The host as the {@code linux} device "test-host": its shell, its files/ directory, the file limits. */
@QuarkusTest
class LinuxHostDriverTest {

    static final String HOST = "test-host";
    private static final Path FILES = Path.of("target/test-data/devices/linux/test-host/files");

    @BeforeEach
    void hostIsDiscovered() {
        AgentCalls.awaitRecord(HOST, "discovery of the host device");
    }

    @Test
    void runsCommandsInTheDevicesFilesDirectory() throws Exception {
        call("device.connect", Map.of("device_id", HOST)).statusCode(200).body("success", equalTo(true));
        call("device.execute", Map.of("device_id", HOST, "command", "pwd")).statusCode(200)
                .body("success", equalTo(true)).body("output", endsWith("/devices/linux/test-host/files\n"))
                .body("error", equalTo("")).body("device_id", equalTo(HOST));
        assertTrue(Files.readString(FILES.resolveSibling("logs").resolve("commands.log")).contains("\"command\":\"pwd\""),
                "command logged in the device's logs/");
        call("device.execute", Map.of("device_id", HOST, "command", "echo oops >&2; exit 3")).statusCode(200)
                .body("success", equalTo(false)).body("exit_code", equalTo(3)).body("error", equalTo("oops\n"));
        call("device.list", Map.of()).body("devices.find { it.id == 'test-host' }.status", equalTo("connected"));
        call("device.disconnect", Map.of("device_id", HOST)).statusCode(200).body("success", equalTo(true));
    }

    @Test
    void stopsCommandsAtTheTimeout() {
        long started = System.nanoTime();
        call("device.execute", Map.of("device_id", HOST, "command", "sleep 20")).statusCode(408)
                .body("error.code", equalTo("COMMAND_EXECUTION_FAILED")).body("error.details.timeout_seconds", equalTo(2));
        assertFalse(System.nanoTime() - started > 10_000_000_000L, "the command was not stopped at the timeout");
    }

    @Test
    void copiesFilesOnlyInsideTheFilesDirectory() throws Exception {
        String name = UniqueFile.write(FILES, "notes", ".txt", "hello");
        call("device.upload", Map.of("device_id", HOST, "local_path", name, "remote_path", "copies/" + name))
                .statusCode(200).body("success", equalTo(true)).body("remote_path", equalTo("copies/" + name));
        assertEquals("hello", Files.readString(FILES.resolve("copies").resolve(name)));
        call("device.download", Map.of("device_id", HOST, "remote_path", "copies/" + name, "local_path", "back-" + name))
                .statusCode(200).body("local_path", equalTo("back-" + name));
        assertEquals("hello", Files.readString(FILES.resolve("back-" + name)));

        call("device.upload", Map.of("device_id", HOST, "local_path", "../device.json", "remote_path", "x.txt"))
                .statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
        call("device.upload", Map.of("device_id", HOST, "local_path", name, "remote_path", "/etc/" + name))
                .statusCode(400).body("error.message", containsString("leaves"));
        call("device.download", Map.of("device_id", HOST, "remote_path", name, "local_path", "../../../escape.txt"))
                .statusCode(400);
        call("device.download", Map.of("device_id", HOST, "remote_path", name, "local_path", "notes.pdf"))
                .statusCode(415).body("error.code", equalTo("UNSUPPORTED_FILE_TYPE"));
        call("device.upload", Map.of("device_id", HOST, "local_path", "absent.txt", "remote_path", "x.txt"))
                .statusCode(400);
    }

    @Test
    void refusesFilesOverOneHundredMegabytes() throws Exception {
        try (OversizedFile big = OversizedFile.in(FILES)) {
            call("device.upload", Map.of("device_id", HOST, "local_path", big.name(), "remote_path", "copy.zip"))
                    .statusCode(413).body("error.code", equalTo("FILE_TOO_LARGE"))
                    .body("error.details.max_bytes", equalTo(104857600));
        }
    }

    /** A request this host can never serve is the caller's (409), not a server fault (the fuzz found 501 and 500). */
    @Test
    void aDeviceWithoutDriverOrNotThisHostIsRefusedWith409() {
        String ios = AgentCalls.createDevice("ios");
        call("device.connect", Map.of("device_id", ios)).statusCode(409)
                .body("error.code", equalTo("DEVICE_CONNECTION_FAILED"))
                .body("error.details.reason", equalTo("no_driver"))
                .body("error.message", containsString("no driver for device type 'ios'"));
        String otherLinux = AgentCalls.createDevice("linux");
        call("device.execute", Map.of("device_id", otherLinux, "command", "true")).statusCode(409)
                .body("error.code", equalTo("DEVICE_CONNECTION_FAILED"))
                .body("error.details.reason", equalTo("not_this_host"));
    }
}

package io.envgrid.deviceagent.driver;

import static io.envgrid.deviceagent.support.AgentCalls.call;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.OversizedFile;
import io.envgrid.deviceagent.support.UniqueFile;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Android through adb. No device or adb is attached on the build machines, so the agent runs a stand-in
 * {@code adb} script (src/test/resources/adb-standin/adb) that answers like the real one: the same
 * {@code devices -l} listing, exit codes and messages, with device storage in target/adb-standin-storage.
 */
@QuarkusTest
class AdbDriverTest {

    private static final String EMULATOR = "emulator-5554";
    private static final Path FILES = Path.of("target/test-data/devices/android/emulator-5554/files");
    private static final Path DEVICE_STORAGE = Path.of("target/adb-standin-storage");

    @BeforeEach
    void emulatorIsDiscovered() {
        AgentCalls.awaitRecord(EMULATOR, "discovery of the emulator from adb devices -l");
    }

    @Test
    void discoversOnlineDevicesFromTheDeviceListing() {
        call("device.info", Map.of("device_id", EMULATOR)).statusCode(200)
                .body("type", equalTo("android")).body("name", equalTo("sdk gphone64 x86 64"))
                .body("specs.transport_id", equalTo("1"));
        call("device.list", Map.of()).body("devices.id", not(hasItem("R58M12ABCDE")));
    }

    @Test
    void connectsAndRunsShellCommands() {
        call("device.connect", Map.of("device_id", EMULATOR)).statusCode(200).body("success", equalTo(true));
        call("device.execute", Map.of("device_id", EMULATOR, "command", "getprop ro.product.model")).statusCode(200)
                .body("success", equalTo(true)).body("output", equalTo("sdk_gphone64_x86_64\n"));
        call("device.execute", Map.of("device_id", EMULATOR, "command", "frobnicate")).statusCode(200)
                .body("success", equalTo(false)).body("exit_code", equalTo(127));
    }

    @Test
    void pushesPullsAndInstalls() throws Exception {
        String apk = UniqueFile.write(FILES, "app", ".apk", "not really a package");
        call("device.upload", Map.of("device_id", EMULATOR, "local_path", apk, "remote_path", "/sdcard/" + apk))
                .statusCode(200).body("success", equalTo(true)).body("installed", equalTo(false));
        assertEquals("not really a package", Files.readString(DEVICE_STORAGE.resolve(apk)));
        call("device.upload", Map.of("device_id", EMULATOR, "local_path", apk, "remote_path", "/sdcard/" + apk,
                "install", true)).statusCode(200).body("installed", equalTo(true));

        String pulled = AgentCalls.uniqueId("pulled") + ".log";
        call("device.download", Map.of("device_id", EMULATOR, "remote_path", "/sdcard/" + apk, "local_path", pulled))
                .statusCode(200).body("success", equalTo(true));
        assertEquals("not really a package", Files.readString(FILES.resolve(pulled)));
        // a file the device does not have is the caller's: 404 as on the linux host (the fuzz found a 500 here)
        call("device.download", Map.of("device_id", EMULATOR, "remote_path", "/sdcard/absent.txt", "local_path", "a.txt"))
                .statusCode(404).body("error.code", equalTo("COMMAND_EXECUTION_FAILED"))
                .body("error.details.remote_path", equalTo("/sdcard/absent.txt"));
        // and a refused download leaves nothing behind, not even the directories made for it (the fuzz found them)
        String dir = AgentCalls.uniqueId("made-for-it");
        call("device.download", Map.of("device_id", EMULATOR, "remote_path", "/sdcard/absent.txt",
                "local_path", dir + "/sub/a.txt")).statusCode(404);
        assertFalse(Files.exists(FILES.resolve(dir)), "directories made for a refused download are removed");
        // a local path below a file is the caller's: 400, not 500
        call("device.download", Map.of("device_id", EMULATOR, "remote_path", "/sdcard/" + apk,
                "local_path", pulled + "/below.txt")).statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
    }

    @Test
    void aDownloadOverOneHundredMegabytesIsRefusedAndRemoved() throws Exception {
        try (OversizedFile big = OversizedFile.in(DEVICE_STORAGE)) {
            call("device.download", Map.of("device_id", EMULATOR, "remote_path", "/sdcard/" + big.name(),
                    "local_path", big.name())).statusCode(413).body("error.code", equalTo("FILE_TOO_LARGE"));
            assertFalse(Files.exists(FILES.resolve(big.name())), "oversized download left behind");
        }
    }

    @Test
    void anAndroidDeviceAdbDoesNotKnowCannotBeConnected() {
        String ghost = AgentCalls.createDevice("android");
        // a device that is down is a dependency down: 503, the one 5xx the fuzz allows (with this code)
        call("device.connect", Map.of("device_id", ghost)).statusCode(503)
                .body("error.code", equalTo("DEVICE_CONNECTION_FAILED"));
    }
}

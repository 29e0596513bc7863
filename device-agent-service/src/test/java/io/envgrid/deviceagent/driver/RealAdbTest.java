package io.envgrid.deviceagent.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The Android driver against the real {@code adb} binary (installed by {@code ./envgrid test}) with no device
 * attached: discovery runs {@code adb devices -l}, which starts an adb server, and finds no device without error.
 */
class RealAdbTest {

    private static final String ADB = findAdb();

    @AfterAll
    static void stopTheAdbServerItStarted() {
        new CommandRunner(config()).run(List.of(ADB, "kill-server"), null);
    }

    @Test
    void discoveryWithTheRealAdbAndNoDeviceFindsNone() {
        CommandRunner runner = new CommandRunner(config());
        CommandResult listing = runner.run(List.of(ADB, "devices", "-l"), null);
        assertEquals(0, listing.exitCode(), listing.error());
        assertTrue(listing.output().startsWith("List of devices attached"), listing.output());

        assertEquals(List.of(), new AdbDriver(config(), runner).discover());
    }

    private static String findAdb() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(dir -> Path.of(dir, "adb"))
                .filter(Files::isExecutable)
                .findFirst()
                .map(Path::toString)
                .orElseThrow(() -> new AssertionError("no adb on PATH: install it (./envgrid test does, "
                        + "apt-get install adb)"));
    }

    /** Only what the runner and the driver read: adb enabled at {@link #ADB}, and time for the server to start. */
    private static DeviceAgentConfig config() {
        DeviceAgentConfig.Adb adb = (DeviceAgentConfig.Adb) Proxy.newProxyInstance(RealAdbTest.class.getClassLoader(),
                new Class<?>[] {DeviceAgentConfig.Adb.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "enabled" -> true;
                    case "path" -> ADB;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (DeviceAgentConfig) Proxy.newProxyInstance(RealAdbTest.class.getClassLoader(),
                new Class<?>[] {DeviceAgentConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "adb" -> adb;
                    case "commandTimeout" -> Duration.ofSeconds(30);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}

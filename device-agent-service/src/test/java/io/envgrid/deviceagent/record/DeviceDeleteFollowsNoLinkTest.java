package io.envgrid.deviceagent.record;

import static io.envgrid.deviceagent.support.AgentCalls.call;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code device.delete} removes a device's directory without following a link a worker swaps in: the host device's
 * {@code files/} belongs to its uid, whose processes may still run. A loop swaps directory {@code d} (holding
 * {@code victim.txt}) with a link to a directory outside the device's; before the fix the agent listed the tree by path
 * and then deleted {@code files/d/victim.txt} through the link, i.e. the outside file. A bounded number of devices, no
 * sleeps.
 */
@QuarkusTest
class DeviceDeleteFollowsNoLinkTest {

    private static final Path DEVICES = Path.of("target/test-data/devices").toAbsolutePath();
    private static final int ATTEMPTS = 30;

    private static final String SWAPPER = String.join("\n",
            "import ctypes, os",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "open('ready', 'w').close()",
            "while os.path.lexists('d'):",
            "    libc.renameat2(-100, b'd', -100, b'dl', 2)",
            "");

    @Test
    void aDeleteNeverReachesThroughASwappedLink() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("target"), "outside-").toAbsolutePath();
        Path victim = Files.writeString(outside.resolve("victim.txt"), "not the device's");
        List<Integer> statuses = new ArrayList<>();
        for (int attempt = 0; attempt < ATTEMPTS && Files.exists(victim); attempt++) {
            String id = AgentCalls.createDevice("ios");
            Path files = DEVICES.resolve("ios").resolve(PathSegments.encode(id)).resolve("files");
            Files.writeString(Files.createDirectories(files.resolve("d")).resolve("victim.txt"), "the device's");
            Files.createSymbolicLink(files.resolve("dl"), outside);
            Process swapper = new ProcessBuilder("python3", "-c", SWAPPER).directory(files.toFile()).start();
            try {
                Conditions.await(() -> Files.exists(files.resolve("ready")), "the swapping loop started");
                statuses.add(call("device.delete", Map.of("device_id", id)).extract().statusCode());
            } finally {
                swapper.destroyForcibly().waitFor();
            }
        }
        assertTrue(Files.exists(victim), "device.delete deleted " + victim + " through the swapped link after "
                + statuses.size() + " devices");
        assertTrue(statuses.stream().allMatch(s -> s == 200), "device.delete answered " + statuses);
        Files.delete(victim);
        Files.delete(outside);
    }
}

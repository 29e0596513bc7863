package io.envgrid.deviceagent.record;

import static io.envgrid.deviceagent.support.AgentCalls.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.AgentPrivileges;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code device.delete} of a device whose {@code files/} is a mount point (the host device's disk, a tmpfs a root
 * agent mounts there) answers 200: the record and logs go, the mount point stays. Before, removing {@code files/} met
 * {@code EBUSY} and the call failed with a 5xx. The mount here is the test's own tmpfs on a created device's
 * {@code files/}, the same situation without the host device's namespaces.
 */
@QuarkusTest
class DeviceDeleteMountedFilesTest {

    private static final Path DEVICES = Path.of("target/test-data/devices").toAbsolutePath();

    @Test
    void aDeviceWhoseFilesAreAMountPointIsDeleted() throws Exception {
        assumeTrue(AgentPrivileges.isRoot(), "needs root to mount a tmpfs (as a root agent does for the host device)");
        String id = AgentCalls.createDevice("ios");
        Path files = DEVICES.resolve("ios").resolve(PathSegments.encode(id)).resolve("files");
        Files.createDirectories(files);
        run("mount", "-t", "tmpfs", "-o", "size=1m", "envgrid-test-delete", files.toString());
        try {
            Files.writeString(files.resolve("kept.txt"), "on the disk");
            assertEquals(200, call("device.delete", Map.of("device_id", id)).extract().statusCode());
            assertEquals(404, call("device.info", Map.of("device_id", id)).extract().statusCode());
            assertTrue(Files.isDirectory(files), "the mount point stays");
            try (var left = Files.list(files.getParent())) {
                assertFalse(left.anyMatch(p -> !p.equals(files)), "only the mount point is left of the device");
            }
        } finally {
            run("umount", "--lazy", files.toString());
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, process.waitFor(), String.join(" ", command));
    }
}

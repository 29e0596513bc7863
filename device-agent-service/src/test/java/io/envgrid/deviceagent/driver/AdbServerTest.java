package io.envgrid.deviceagent.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.exec.WorkerExec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory of the agent's adb server: the agent's alone (0700, its uid), or the agent does not start. */
class AdbServerTest {

    @TempDir
    Path dir;

    @Test
    void everyCommandNamesThePrivateSocketAndKeepsTheLogBesideIt() {
        AdbServer server = new AdbServer("/usr/bin/adb", dir.resolve("adb-server"));
        String spec = "localfilesystem:" + dir.resolve("adb-server/adb.sock");
        assertEquals(spec, server.socketSpec());
        assertEquals(List.of("/usr/bin/adb", "-L", spec, "-s", "emulator-5554", "shell", "id"),
                server.command("-s", "emulator-5554", "shell", "id"));
        assertEquals(Map.of("TMPDIR", dir.resolve("adb-server").toString()), server.environment());
    }

    @Test
    void theDirectoryIsMadeOrTurnedOwnerOnly() throws IOException {
        assertEquals("rwx------", mode(new AdbServer("adb", dir.resolve("new")).directory()));
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals("rwx------", mode(new AdbServer("adb", open).directory()));
    }

    @Test
    void aLinkAFileOrAnotherUsersDirectoryIsRefused() throws IOException {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), elsewhere);
        assertThrows(IllegalStateException.class, () -> new AdbServer("adb", link));
        Path file = Files.writeString(dir.resolve("file"), "");
        assertThrows(IllegalStateException.class, () -> new AdbServer("adb", file));

        assumeTrue(WorkerExec.ownUid() == 0, "only root can give a directory to another uid");
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.setAttribute(theirs, "unix:uid", 60999, LinkOption.NOFOLLOW_LINKS);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> new AdbServer("adb", theirs));
        assertTrue(refused.getMessage().contains("60999"), refused.getMessage());
    }

    @Test
    void aSocketPathAUnixAddressCannotHoldIsRefused() {
        Path deep = dir.resolve("d".repeat(AdbServer.MAX_SOCKET_PATH_BYTES));
        assertThrows(IllegalStateException.class, () -> new AdbServer("adb", deep));
    }

    private static String mode(Path directory) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS));
    }
}

package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The X socket directory a hosted desktop's disk binds: made, root's and sticky, where a fresh container has none
 * (the desktop-host image's first desktop failed every reset with "special device /tmp/.X11-unix does not exist"),
 * and refused where someone else's thing stands in its place. On a directory of the test's own, not the host's.
 */
class X11SocketDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void aMissingDirectoryIsMadeStickyAndWorldWritable() throws Exception {
        Path sockets = tmp.resolve(".X11-unix");
        DisplayServer.ensureSocketDirectory(sockets);
        assertTrue(Files.isDirectory(sockets));
        assertEquals(01777, ((Number) Files.getAttribute(sockets, "unix:mode")).intValue() & 07777);
        assertEquals(Files.getOwner(Path.of("/proc/self")), Files.getOwner(sockets));
    }

    @Test
    void anExistingDirectoryOfTheAgentsIsLeftAsItIs() throws Exception {
        Path sockets = Files.createDirectory(tmp.resolve(".X11-unix"));
        Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createFile(sockets.resolve("X0"));
        DisplayServer.ensureSocketDirectory(sockets);
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(sockets)));
        assertTrue(Files.exists(sockets.resolve("X0")));
    }

    @Test
    void aLinkInItsPlaceIsRefused() throws IOException {
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Path sockets = Files.createSymbolicLink(tmp.resolve(".X11-unix"), elsewhere);
        assertThrows(ResetFailure.class, () -> DisplayServer.ensureSocketDirectory(sockets));
    }

    @Test
    void anotherUsersDirectoryInItsPlaceIsRefused() throws IOException {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: only root can give a directory to another user");
        Path sockets = Files.createDirectory(tmp.resolve(".X11-unix"));
        Files.setOwner(sockets, sockets.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        ResetFailure refused = assertThrows(ResetFailure.class, () -> DisplayServer.ensureSocketDirectory(sockets));
        assertTrue(refused.getMessage().contains("nobody"), refused.getMessage());
    }
}

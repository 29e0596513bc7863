package io.envgrid.deviceagent.osworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * The attached desktop's recording (ffmpeg runs as the agent, often root) is written in a directory of the agent's
 * own, new at every start: a fixed name in {@code /tmp}, where every worker may write, could be a link a worker made
 * first, and root's ffmpeg would write through it.
 */
class RecordingFileTest {

    @Test
    void theDefaultRecordingLivesInANewDirectoryOnlyTheAgentMayEnter() throws IOException {
        Path first = ScreenRecorder.privateFile();
        Path second = ScreenRecorder.privateFile();
        try {
            assertNotEquals(first.getParent(), second.getParent(), "a new directory per recorder");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.getParent(),
                    LinkOption.NOFOLLOW_LINKS)));
            assertFalse(Files.isSymbolicLink(first.getParent()));
            assertFalse(Files.exists(first, LinkOption.NOFOLLOW_LINKS), "nothing there before the recording");
        } finally {
            Files.deleteIfExists(first.getParent());
            Files.deleteIfExists(second.getParent());
        }
    }
}

package io.envgrid.deviceagent.allocatorclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's token for the allocator, from the setting or from the file an init container wrote. */
class AllocatorBearerTest {

    @TempDir
    Path dir;

    @Test
    void theFilesTokenWithoutItsTrailingNewline() throws Exception {
        Path file = Files.writeString(dir.resolve("agent-token"), "eag1.node-1.c2ln\n");
        assertEquals(Optional.of("eag1.node-1.c2ln"), new AllocatorBearer(Optional.empty(), Optional.of(file)).token());
    }

    @Test
    void theInlineSettingOrNone() {
        assertEquals(Optional.of("t"), new AllocatorBearer(Optional.of("t"), Optional.empty()).token());
        assertEquals(Optional.empty(), new AllocatorBearer(Optional.empty(), Optional.empty()).token());
    }

    @Test
    void aMissingOrEmptyFileOrBothSettingsStopTheStart() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThrows(IllegalStateException.class, () -> new AllocatorBearer(Optional.empty(), Optional.of(empty)));
        assertThrows(IllegalStateException.class, () -> new AllocatorBearer(Optional.empty(), Optional.of(dir.resolve("none"))));
        assertThrows(IllegalStateException.class, () -> new AllocatorBearer(Optional.of("t"), Optional.of(empty)));
    }
}

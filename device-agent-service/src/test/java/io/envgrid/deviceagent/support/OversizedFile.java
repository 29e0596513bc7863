package io.envgrid.deviceagent.support;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** A file one byte over the agent's 100 MB transfer limit, sparse so that it takes no disk space. */
public final class OversizedFile {

    /** The agent's default {@code max-file-bytes}. */
    public static final long LIMIT_BYTES = 100L * 1024 * 1024;

    private OversizedFile() {
    }

    /** Creates (or extends) {@code file} to {@link #LIMIT_BYTES} + 1 bytes. */
    public static void create(Path file) throws IOException {
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(LIMIT_BYTES + 1);
        }
    }
}

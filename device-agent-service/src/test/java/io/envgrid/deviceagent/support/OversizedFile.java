package io.envgrid.deviceagent.support;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file one byte over the agent's 100 MB transfer limit under a fresh name in a directory, sparse so that it takes
 * no disk space; closing deletes it.
 */
public final class OversizedFile implements AutoCloseable {

    /** The agent's default {@code max-file-bytes}. */
    public static final long LIMIT_BYTES = 100L * 1024 * 1024;

    private final Path file;

    private OversizedFile(Path file) {
        this.file = file;
    }

    /** Creates {@code big-<random>.zip} of {@link #LIMIT_BYTES} + 1 bytes in {@code directory} (made if missing). */
    public static OversizedFile in(Path directory) throws IOException {
        Path file = Files.createDirectories(directory).resolve(AgentCalls.uniqueId("big") + ".zip");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(LIMIT_BYTES + 1);
        }
        return new OversizedFile(file);
    }

    /** The file's name, as a device tool's {@code local_path} or the end of a {@code remote_path}. */
    public String name() {
        return file.getFileName().toString();
    }

    @Override
    public void close() {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

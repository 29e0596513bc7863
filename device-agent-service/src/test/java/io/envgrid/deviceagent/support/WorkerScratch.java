package io.envgrid.deviceagent.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A scratch directory that commands run on a worker's behalf may write. When the tests run as root those commands
 * run as the unprivileged exec user ({@code nobody}), which cannot write under the root-owned {@code target/}: the
 * directory is opened to everyone, as {@code /tmp} is.
 */
public final class WorkerScratch {

    private WorkerScratch() {
    }

    /** Creates {@code dir} (and parents) and makes it writable by everyone; returns it. */
    public static Path create(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

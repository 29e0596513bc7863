package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.exec.WorkerExec;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * A desktop's files: its home directory, emptied and filled from the template at every reset, and (with a user switch)
 * whatever its uid left in the shared temporary directories. Nothing here follows a symbolic link: a worker may leave
 * one pointing anywhere, and deleting or copying through it would reach files outside the desktop.
 */
final class DesktopHome {

    /** World-writable directories a worker can leave files in that outlive its processes. */
    private static final List<Path> SHARED_TEMP = List.of(Path.of("/tmp"), Path.of("/var/tmp"), Path.of("/dev/shm"));

    private final DesktopSpec spec;
    private final Optional<Path> template;
    private final WorkerExec workers;

    DesktopHome(DesktopSpec spec, Optional<Path> template, WorkerExec workers) {
        this.spec = spec;
        this.template = template;
        this.workers = workers;
    }

    /** Deletes the home and makes it again from the template, owned by the desktop's user, mode 0700. */
    void restore() throws ResetFailure {
        try {
            deleteTree(spec.home());
            Files.createDirectories(spec.home());
            Files.setPosixFilePermissions(spec.home(), PosixFilePermissions.fromString("rwx------"));
            if (template.isPresent()) {
                copyTree(template.get(), spec.home());
            }
            workers.handOver(spec.home());
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ResetFailure("cannot restore the home " + spec.home() + " from "
                    + template.map(Path::toString).orElse("an empty template"), e);
        }
    }

    /** With a user switch: deletes what the desktop's uid owns at the top of the shared temporary directories. */
    void clearSharedTemp() throws ResetFailure {
        if (workers.uid().isEmpty()) {
            return; // every desktop runs as the agent: nothing tells whose a file is
        }
        long uid = workers.uid().get();
        for (Path dir : SHARED_TEMP) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    if (owner(entry) == uid) {
                        deleteTree(entry);
                    }
                }
            } catch (IOException e) {
                throw new ResetFailure("cannot clear the desktop's files in " + dir, e);
            }
        }
    }

    private static long owner(Path path) {
        try {
            return ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // walkFileTree does not follow links by default: a link is deleted, not what it points at
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failed) throws IOException {
                if (failed != null) {
                    throw failed;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            throw new IOException("the template " + from + " is not a directory");
        }
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Path target = to.resolve(from.relativize(dir).toString());
                if (!dir.equals(from)) {
                    Files.copy(dir, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    workers.handOver(target);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Path target = to.resolve(from.relativize(file).toString());
                Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                if (!attributes.isSymbolicLink()) {
                    workers.handOver(target);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

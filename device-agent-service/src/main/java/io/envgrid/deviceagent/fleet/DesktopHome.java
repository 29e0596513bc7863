package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.exec.WorkerExec;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * A desktop's files: its home directory, emptied and filled from the template at every reset, and (with a user switch)
 * whatever its uid left in the directories every user can write to. Deleting runs as root in directories other users
 * may write to (another desktop's worker in a directory this worker made world-writable), so it never goes by path:
 * {@link LinkSafeTree} works relative to open directories and never follows a link. Copying the template writes only
 * into the new home, made by root, mode 0700, after every process of the uid is dead, and follows no link either.
 */
final class DesktopHome {

    private final DesktopSpec spec;
    private final Optional<Path> template;
    private final WorkerExec workers;
    private final SharedTemp shared;

    DesktopHome(DesktopSpec spec, Optional<Path> template, WorkerExec workers) {
        this(spec, template, workers, SharedTemp.SHARED);
    }

    /** With other shared directories (tests: a scratch directory standing in for {@code /tmp}). */
    DesktopHome(DesktopSpec spec, Optional<Path> template, WorkerExec workers, List<Path> shared) {
        this.spec = spec;
        this.template = template;
        this.workers = workers;
        this.shared = new SharedTemp(workers, shared);
    }

    /**
     * Deletes the home and makes it again from the template, owned by the desktop's user, mode 0700.
     *
     * @param fresh the home was just made empty (a new {@link DesktopDisk}, whose mount point cannot be deleted)
     */
    void restore(boolean fresh) throws ResetFailure {
        Path home = spec.home().toAbsolutePath();
        try {
            if (!fresh) {
                LinkSafeTree.recreate(home);
            }
            if (template.isPresent()) {
                copyTree(template.get(), home);
            }
            workers.handOver(home);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ResetFailure("cannot restore the home " + home + " from "
                    + template.map(Path::toString).orElse("an empty template"), e);
        }
    }

    /** With a user switch: deletes what the desktop's uid left in the shared directories ({@link SharedTemp}). */
    void clearSharedTemp() throws ResetFailure {
        shared.clear();
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
                if (attributes.isOther()) {
                    // a device node, fifo or socket would be made anew (mknod, as root) in a worker's home
                    throw new IOException("the template holds " + file + ", which is no file, directory or link");
                }
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

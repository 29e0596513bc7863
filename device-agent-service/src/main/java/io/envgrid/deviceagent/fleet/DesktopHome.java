package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.exec.WorkerExec;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * A desktop's files: its home directory, emptied and filled from the template at every reset, and (with a user switch)
 * whatever its uid left in the directories every user can write to. Deleting runs as root in directories other users
 * may write to (another desktop's worker in a directory this worker made world-writable), so it never goes by path:
 * {@link LinkSafeTree} works relative to open directories and never follows a link. Copying the template writes only
 * into the new home, made by root, mode 0700, after every process of the uid is dead, and follows no link either.
 */
final class DesktopHome {

    private static final Logger LOG = Logger.getLogger(DesktopHome.class);

    /**
     * Directories any user can leave files in that outlive its processes ({@code /var/lock} is a link to
     * {@code /run/lock} on current systems: resolved and counted once).
     */
    private static final List<Path> SHARED = List.of(Path.of("/tmp"), Path.of("/var/tmp"), Path.of("/dev/shm"),
            Path.of("/run/lock"), Path.of("/var/lock"));
    /**
     * How deep below a shared directory world-writable directories of others are searched for the uid's entries
     * ({@code /tmp/.X11-unix/X7}, {@code /tmp/.ICE-unix/…}, a scratch directory a job made 1777).
     */
    private static final int SEARCH_DEPTH = 8;

    private final DesktopSpec spec;
    private final Optional<Path> template;
    private final WorkerExec workers;
    private final List<Path> shared;

    DesktopHome(DesktopSpec spec, Optional<Path> template, WorkerExec workers) {
        this(spec, template, workers, SHARED);
    }

    /** With other shared directories (tests: a scratch directory standing in for {@code /tmp}). */
    DesktopHome(DesktopSpec spec, Optional<Path> template, WorkerExec workers, List<Path> shared) {
        this.spec = spec;
        this.template = template;
        this.workers = workers;
        this.shared = shared;
    }

    /** Deletes the home and makes it again from the template, owned by the desktop's user, mode 0700. */
    void restore() throws ResetFailure {
        Path home = spec.home().toAbsolutePath();
        try {
            Files.createDirectories(home.getParent());
            try (SecureDirectoryStream<Path> root = LinkSafeTree.open(home.getParent())) {
                LinkSafeTree.delete(root, home.getFileName());
            }
            Files.createDirectory(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------")); // whatever the umask
            if (template.isPresent()) {
                copyTree(template.get(), home);
            }
            workers.handOver(home);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ResetFailure("cannot restore the home " + home + " from "
                    + template.map(Path::toString).orElse("an empty template"), e);
        }
    }

    /**
     * With a user switch: deletes what the desktop's uid owns in the shared directories, at their top and inside
     * world-writable directories of others below them, and in the POSIX message queue file system if one is mounted.
     */
    void clearSharedTemp() throws ResetFailure {
        if (workers.uid().isEmpty()) {
            return; // every desktop runs as the agent: nothing tells whose a file is
        }
        UserPrincipal owner;
        try {
            owner = FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(Long.toString(workers.uid().get()));
        } catch (IOException e) {
            throw new ResetFailure("cannot name uid " + workers.uid().get(), e);
        }
        for (Path dir : sharedDirectories()) {
            try (SecureDirectoryStream<Path> open = LinkSafeTree.open(dir)) {
                LinkSafeTree.deleteOwned(open, owner, SEARCH_DEPTH);
            } catch (IOException e) {
                throw new ResetFailure("cannot clear the desktop's files in " + dir, e);
            }
        }
    }

    /** The shared directories that exist here, each once, plus the message queue mount. */
    private List<Path> sharedDirectories() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path dir : shared) {
            try {
                dirs.add(dir.toRealPath());
            } catch (IOException absent) {
                LOG.tracef("no %s here", dir);
            }
        }
        MessageQueues.mount().ifPresent(dirs::add);
        return List.copyOf(dirs);
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

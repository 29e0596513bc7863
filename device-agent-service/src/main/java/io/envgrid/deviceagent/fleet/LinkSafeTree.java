package io.envgrid.deviceagent.fleet;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;

/**
 * Deletes files as root in directories other users can write to, without ever following a link and without a window
 * between looking at an entry and acting on it by path. Every step is relative to an open directory
 * ({@link SecureDirectoryStream}: {@code openat(O_NOFOLLOW)}, {@code fstatat(AT_SYMLINK_NOFOLLOW)}, {@code unlinkat}),
 * so a directory swapped for a symbolic link mid-walk is unlinked as the link it now is, and nothing outside the
 * directory that was opened is reached. Whatever an entry is (file, link, hard link, fifo, socket, device node), it is
 * unlinked, never opened.
 */
public final class LinkSafeTree {

    /** An entry that keeps changing between a directory and a non-directory is being raced; give up after this. */
    private static final int ATTEMPTS = 50;
    /** Directories open at once while deleting one tree (file descriptors, stack frames). */
    static final int MAX_DEPTH = 64;

    private LinkSafeTree() {
    }

    /**
     * Opens {@code dir} (a directory only root can replace: {@code /tmp}, the home root) for link-safe work.
     *
     * @throws IOException also when the platform has no {@code openat} (then nothing here is safe, so nothing is done)
     */
    static SecureDirectoryStream<Path> open(Path dir) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(dir);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        stream.close();
        throw new IOException("no SecureDirectoryStream (openat) for " + dir + ": cannot delete without following links");
    }

    /** The names of a directory's entries, read before any is changed. */
    static List<Path> names(SecureDirectoryStream<Path> dir) {
        List<Path> names = new ArrayList<>();
        for (Path entry : dir) {
            names.add(entry.getFileName());
        }
        return names;
    }

    /** The attributes of entry {@code name} itself (a link is a link), or null when it is gone. */
    static PosixFileAttributes attributes(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        try {
            return dir.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    /**
     * Deletes {@code dir} with everything below it, link-safe, and makes it again empty, the agent's, mode 0700
     * whatever the umask (the caller hands it over to its worker). Its parent is made if missing.
     */
    static void recreate(Path dir) throws IOException {
        Files.createDirectories(dir.getParent());
        deleteTree(dir);
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /**
     * Deletes {@code path} with everything below it, link-safe: for a tree a worker's user may change (the host
     * device's {@code files/}), in a parent only root can change. Gone already is fine.
     *
     * @throws IOException when an entry keeps changing, or the platform has no {@code openat}
     */
    public static void deleteTree(Path path) throws IOException {
        try (SecureDirectoryStream<Path> parent = open(path.getParent())) {
            delete(parent, path.getFileName());
        }
    }

    /**
     * Deletes entry {@code name} of {@code dir}, with everything below it if it is a directory; gone already is fine.
     * Any depth: a directory {@value #MAX_DEPTH} levels down is moved up into {@code dir} under a fresh name and deleted
     * from there, so a worker's tree 30,000 levels deep costs neither the stack (a hostile review overflowed it, and
     * every retry of the reset failed the same way) nor more than {@value #MAX_DEPTH} open directories.
     */
    static void delete(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        Deque<Path> parked = new ArrayDeque<>();
        delete(dir, name, dir, parked, 0);
        while (!parked.isEmpty()) {
            delete(dir, parked.pop(), dir, parked, 0);
        }
    }

    private static void delete(SecureDirectoryStream<Path> dir, Path name, SecureDirectoryStream<Path> top,
            Deque<Path> parked, int depth) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            PosixFileAttributes attributes = attributes(dir, name);
            if (attributes == null) {
                return;
            }
            try {
                if (attributes.isDirectory() && depth >= MAX_DEPTH) {
                    // renameat(2): moves the entry itself, a link as a link, within the file system it is on
                    Path moved = Path.of(".envgrid-deep-" + UUID.randomUUID());
                    dir.move(name, top, moved);
                    parked.push(moved);
                } else if (attributes.isDirectory()) {
                    try (SecureDirectoryStream<Path> child = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                        for (Path entry : names(child)) {
                            delete(child, entry, top, parked, depth + 1);
                        }
                    }
                    dir.deleteDirectory(name);
                } else {
                    dir.deleteFile(name);
                }
                return;
            } catch (NoSuchFileException gone) {
                return;
            } catch (IOException changed) {
                // swapped meanwhile (a link where a directory was, a directory filled again): look at it afresh
                if (attempt == ATTEMPTS - 1) {
                    throw changed;
                }
            }
        }
    }

    /**
     * Deletes, at any depth below {@code dir}, every entry {@code owner} owns (with all below it), descending into the
     * directories of others only where {@code owner} could have written: world-writable ones. A world-writable
     * directory below one that is not is not searched (a whole-tree walk of {@code /tmp} costs seconds per reset).
     */
    static void deleteOwned(SecureDirectoryStream<Path> dir, UserPrincipal owner, int depth) throws IOException {
        for (Path name : names(dir)) {
            PosixFileAttributes attributes = attributes(dir, name);
            if (attributes == null) {
                continue;
            }
            if (owner.equals(attributes.owner())) {
                delete(dir, name);
            } else if (attributes.isDirectory() && depth > 0
                    && attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
                try (SecureDirectoryStream<Path> child = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    deleteOwned(child, owner, depth - 1);
                } catch (AccessDeniedException e) {
                    throw e;
                } catch (FileSystemException swapped) {
                    // gone, or replaced by a link (ELOOP) or a file (ENOTDIR) since it was looked at: nothing of ours
                }
            }
        }
    }
}

package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.exec.WorkerExec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A desktop's files at a reset, as root with real uids (plain JUnit, no agent): deleting the worker's files never
 * follows a link another user swaps in mid-walk, and every kind of file the uid can leave in the shared directories —
 * below directories of others too — is gone afterwards, while everyone else's stays.
 */
class DesktopHomeTest {

    /** The worker's uid: none a test agent's desktops get (FleetDesktops.FIRST_UID up), so none of theirs is touched. */
    private static final int UID = 61990;
    /** Another tenant's uid. */
    private static final int OTHER = 61991;
    private static final int VICTIMS = 40;

    private Path root;
    private Path shared;
    private Path victims;
    private DesktopSpec spec;
    private WorkerExec workers;

    @BeforeEach
    void setUp() throws IOException {
        // a user switch happens only in a root agent
        assumeTrue(new WorkerExec(UID, Path.of("/")).switchesUser(), "needs root: the reset deletes other uids' files");
        // under /tmp, not target/: a UNIX socket's path is at most 107 bytes
        root = Files.createTempDirectory(Path.of("/tmp"), "envgrid-home-test-");
        shared = Files.createDirectories(root.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setAttribute(shared, "unix:mode", 01777);
        // root-only files another tenant would like root to delete for it
        victims = Files.createDirectories(root.resolve("victims"));
        Files.setPosixFilePermissions(victims, PosixFilePermissions.fromString("rwx------"));
        for (int i = 0; i < VICTIMS; i++) {
            Files.writeString(victims.resolve("f" + i), "root's\n");
        }
        Path homes = Files.createDirectories(root.resolve("homes"));
        spec = new DesktopSpec(0, "test:desktop-0", 1, UID, homes.resolve("desktop-0"), homes.resolve(".run"));
        workers = new WorkerExec(UID, spec.home());
    }

    @AfterEach
    void tearDown() throws IOException {
        if (root != null) {
            try (var open = LinkSafeTree.open(root.getParent())) {
                LinkSafeTree.delete(open, root.getFileName());
            }
        }
    }

    @Test
    void aDirectorySwappedForALinkMidWalkNeverMakesRootDeleteTheLinksTarget() throws Exception {
        DesktopHome home = new DesktopHome(spec, Optional.empty(), workers, List.of(shared));
        Path playground = shared.resolve("playground");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong swaps = new AtomicLong();
        // another tenant in a directory the worker made world-writable: the directory's name keeps turning into a
        // link to the root-only files and back
        Thread racer = racer(playground.resolve("d"), running, swaps);
        racer.start();
        try {
            for (int round = 0; round < 150; round++) {
                workersFiles(playground);
                home.clearSharedTemp();
                assertEquals(VICTIMS, countVictims(), "round " + round + ": root-only files were deleted through a link");
            }
        } finally {
            running.set(false);
            racer.join();
        }
        assertTrue(swaps.get() > 100, "the racer swapped (" + swaps.get() + " times)");
        assertEquals(VICTIMS, countVictims());
    }

    @Test
    void theHomeIsDeletedWithoutFollowingLinksAndComesBackFromTheTemplate() throws Exception {
        Path template = Files.createDirectories(root.resolve("template"));
        Files.writeString(template.resolve("template.txt"), "from the template\n");
        Files.createDirectories(template.resolve("sub"));
        DesktopHome home = new DesktopHome(spec, Optional.of(template), workers, List.of(shared));
        home.restore(false);
        Path h = spec.home();
        // the worker opens its home to everyone and leaves links, a hard link, a fifo and a socket
        Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createSymbolicLink(h.resolve("to-victims"), victims);
        Files.createSymbolicLink(h.resolve("sub").resolve("to-victim"), victims.resolve("f0"));
        Files.createLink(h.resolve("hard"), victims.resolve("f1"));
        run("mkfifo", h.resolve("fifo").toString());
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(h.resolve("sock")));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        Thread racer = racer(h.resolve("sub"), running, new AtomicLong());
        racer.start();
        try {
            for (int round = 0; round < 60; round++) {
                workersFiles(h.resolve("sub"));
                try {
                    home.restore(false);
                } catch (ResetFailure raced) {
                    // the racer (root here, so it can reach the fresh 0700 copy, which no worker can) swapped the template's
                    // copy mid-copy: a failed reset, which the fleet retries; what counts is that root deleted nothing
                }
            }
        } finally {
            running.set(false);
            racer.join();
        }
        home.restore(false);
        assertEquals(VICTIMS, countVictims(), "nothing of root's deleted");
        assertEquals("root's\n", Files.readString(victims.resolve("f1")), "the hard-linked file is intact");
        try (var entries = Files.list(h)) {
            assertEquals(List.of("sub", "template.txt"), entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(h, LinkOption.NOFOLLOW_LINKS)));
        assertEquals(UID, Files.getAttribute(h, "unix:uid"));
        assertEquals(UID, Files.getAttribute(h.resolve("template.txt"), "unix:uid"));
    }

    /**
     * A worker's tree far deeper than the stack or the file descriptor limit allows to walk recursively (a hostile review
     * overflowed the stack with 30,000 levels, and every retry of the reset failed the same way): the home is restored
     * and nothing of the tree, nor of its parked parts, is left.
     */
    @Test
    void aTreeTwentyThousandLevelsDeepIsDeleted() throws Exception {
        DesktopHome home = new DesktopHome(spec, Optional.empty(), workers, List.of(shared));
        home.restore(false);
        Path script = root.resolve("deep.py");
        Files.writeString(script, "import os\nfor i in range(20000):\n    os.mkdir('d')\n    os.chdir('d')\nopen('bottom', 'w').write('x')\n");
        Process deep = new ProcessBuilder("python3", script.toString()).directory(spec.home().toFile()).inheritIO().start();
        assertEquals(0, deep.waitFor());
        home.restore(false);
        try (var listing = Files.list(spec.home())) {
            assertEquals(List.of(), listing.toList(), "the home is empty again");
        }
        try (var listing = Files.list(spec.home().getParent())) {
            assertEquals(List.of(), listing.filter(p -> p.getFileName().toString().startsWith(".envgrid-deep-")).toList(),
                    "no parked part of the tree is left");
        }
    }

    @Test
    void theUidsEntriesInWorldWritableDirectoriesOfOthersAreDeletedEveryoneElsesStay() throws Exception {
        DesktopHome home = new DesktopHome(spec, Optional.empty(), workers, List.of(shared));
        // like /tmp/.X11-unix: root's, world-writable, sticky; the worker squats a display's socket in it
        Path xDir = Files.createDirectories(shared.resolve(".X11-unix"));
        Files.setAttribute(xDir, "unix:mode", 01777);
        Path squat = xDir.resolve("X977");
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(squat));
        }
        own(squat, UID);
        Path nested = Files.createDirectories(shared.resolve("jobs").resolve("scratch"));
        Files.setAttribute(shared.resolve("jobs"), "unix:mode", 0777);
        Files.setAttribute(nested, "unix:mode", 01777);
        Path deep = Files.writeString(nested.resolve("worker-file"), "x");
        own(deep, UID);
        Path othersFile = Files.writeString(nested.resolve("other-file"), "x");
        own(othersFile, OTHER);
        Path rootsFile = Files.writeString(xDir.resolve("X976"), "x");
        Path top = Files.createDirectories(shared.resolve("workers-dir").resolve("inner"));
        own(top.getParent(), UID);
        Files.writeString(top.resolve("f"), "x");
        Path link = Files.createSymbolicLink(shared.resolve("workers-link"), victims);
        own(link, UID);

        home.clearSharedTemp();

        for (Path gone : List.of(squat, deep, top.getParent(), link)) {
            assertFalse(Files.exists(gone, LinkOption.NOFOLLOW_LINKS), gone + " is gone");
        }
        for (Path kept : List.of(othersFile, rootsFile, xDir, nested)) {
            assertTrue(Files.exists(kept, LinkOption.NOFOLLOW_LINKS), kept + " is kept");
        }
        assertEquals(VICTIMS, countVictims());
    }

    @Test
    void theUidsFilesInTheRealSharedDirectoriesLockDirectoryAndMessageQueuesAreDeleted() throws Exception {
        DesktopHome home = new DesktopHome(spec, Optional.empty(), workers);
        String tag = "envgrid-home-test-" + UUID.randomUUID();
        List<Path> planted = new ArrayList<>();
        for (String dir : List.of("/tmp", "/var/tmp", "/dev/shm", "/run/lock")) {
            if (Files.isDirectory(Path.of(dir))) {
                planted.add(asWorker("echo x > " + dir + "/" + tag, dir + "/" + tag));
            }
        }
        Path queues = MessageQueues.mount().orElseThrow(() -> new AssertionError("no mqueue file system"));
        Path queue = queues.resolve(tag);
        asWorker("exec /usr/bin/python3 -c 'import ctypes,os; rt=ctypes.CDLL(\"librt.so.1\", use_errno=True); "
                + "fd=rt.mq_open(b\"/" + tag + "\", os.O_CREAT|os.O_RDWR, 0o600, None); "
                + "exit(0 if fd >= 0 else ctypes.get_errno())'", queue.toString());
        planted.add(queue);

        home.clearSharedTemp();

        for (Path file : planted) {
            assertFalse(Files.exists(file, LinkOption.NOFOLLOW_LINKS), file + " is gone");
        }
    }

    @Test
    void theUidsSystemVIpcObjectsAreRemovedAnotherUidsStay() throws Exception {
        String make = "exec /usr/bin/python3 -c 'import ctypes; c=ctypes.CDLL(None, use_errno=True); "
                + "r=[c.shmget(0, 4096, 0o1600), c.semget(0, 1, 0o1600), c.msgget(0, 0o1600)]; "
                + "exit(0 if min(r) >= 0 else 1)'";
        runAs(UID, make);
        runAs(OTHER, make);
        try {
            for (String table : List.of("shm", "sem", "msg")) {
                assertTrue(ipcOwners(table).contains(UID), table + " of the worker made");
            }
            new DesktopIpc(workers).clear();
            for (String table : List.of("shm", "sem", "msg")) {
                assertFalse(ipcOwners(table).contains(UID), table + " of the worker left");
                assertTrue(ipcOwners(table).contains(OTHER), table + " of another uid removed");
            }
        } finally {
            new DesktopIpc(new WorkerExec(OTHER, spec.home())).clear();
        }
    }

    /**
     * A thread (not started) that, while {@code running}, moves directory {@code dir} aside, puts a link to the root-only
     * files in its place, and moves it back, counting the swaps.
     */
    private Thread racer(Path dir, AtomicBoolean running, AtomicLong swaps) {
        Path aside = dir.resolveSibling(dir.getFileName() + "-aside");
        return new Thread(() -> {
            while (running.get()) {
                try {
                    Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
                    Files.createSymbolicLink(dir, victims);
                    swaps.incrementAndGet();
                    Thread.onSpinWait();
                    Files.delete(dir);
                    Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    // the reset removed something meanwhile: try again on what is there
                }
            }
        }, "link-racer");
    }

    /**
     * The worker's tree in {@code dir}: a world-writable directory {@code d} full of files, all the worker's. The
     * racer moves {@code d} about meanwhile, so a step that finds it gone is skipped.
     */
    private static void workersFiles(Path dir) throws IOException {
        Path d = dir.resolve("d");
        for (Path made : List.of(dir, d)) {
            try {
                Files.createDirectory(made);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.NoSuchFileException raced) {
                // there already (or the racer's link there), or its parent moved aside this instant
            }
            try {
                if (Files.isDirectory(made, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setAttribute(made, "unix:mode", 0777, LinkOption.NOFOLLOW_LINKS);
                    own(made, UID);
                }
            } catch (IOException raced) {
                // swapped between the look and the change: never changed through a link
            }
        }
        for (int i = 0; i < VICTIMS; i++) {
            // through d/ itself: by the time it is written d may be the racer's link, which is not the reset's
            // concern; written only where d is a real directory
            if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Path file = Files.writeString(d.resolve("f" + i), "worker's\n", java.nio.file.StandardOpenOption.CREATE_NEW);
                    own(file, UID);
                } catch (IOException raced) {
                    // exists already, or d was swapped between the look and the write
                }
            }
        }
    }

    /** How many of root's files are still there (the racing test writer may add entries through a link: not counted). */
    private long countVictims() {
        return java.util.stream.IntStream.range(0, VICTIMS)
                .filter(i -> Files.exists(victims.resolve("f" + i), LinkOption.NOFOLLOW_LINKS)).count();
    }

    private static void own(Path path, int uid) throws IOException {
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
    }

    /** Runs {@code script} as the worker and returns {@code made}, which it must have made as the worker's. */
    private Path asWorker(String script, String made) throws Exception {
        runAs(UID, script);
        Path path = Path.of(made);
        assertEquals(UID, Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS), made + " is the worker's");
        return path;
    }

    private static void runAs(int uid, String script) throws Exception {
        run("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "/bin/sh", "-c", script);
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(Path.of("/").toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
    }

    /** The owner uids of the System V IPC objects of one kind ({@code /proc/sysvipc/<table>}). */
    private static List<Integer> ipcOwners(String table) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/sysvipc", table));
            int column = List.of(lines.get(0).strip().split("\\s+")).indexOf("uid");
            return lines.stream().skip(1).map(l -> Integer.parseInt(l.strip().split("\\s+")[column])).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

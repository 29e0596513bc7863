package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one worker uid can write, on one size-bounded file system of its own: a {@code tmpfs} of a configured size
 * (a hosted desktop's {@code desktops.limits.max-disk}, the attached desktop's exec user's {@code desktop.max-disk},
 * the host device's {@code linux-host.max-disk}) at {@code <disks>/<name>} (root's, 0711; {@code <disks>} is
 * {@code <home-root>/.disk} for the hosted desktops, {@code <data-dir>/.disk} for the other two), mounted anew at every
 * reset (so the reset's wipe is an unmount), holding
 * <ul>
 * <li>{@code home/}: the worker's home, bind-mounted at its usual path (a hosted desktop's
 * {@code <home-root>/desktop-<i>}, the host device's {@code files/}, the exec user's home when it is a directory of its
 * own); none for a worker without a home of its own;</li>
 * <li>{@code tmp/} (1777): what the worker's commands see as {@code /tmp}, {@code /var/tmp}, {@code /run/lock} and
 * {@code /dev/shm}, in the worker's own mount namespace (made at every reset, kept by a binding of its file
 * {@code <disks>/.ns/<name>}, entered by {@link #enterPrefix()}), so the host's world-writable directories are out of
 * the worker's reach;</li>
 * <li>{@code recording/} (0700, root's): a hosted desktop's screen recording.</li>
 * </ul>
 * A worker that fills it gets {@code ENOSPC} and harms only itself: the other workers' homes and {@code /tmp}, the
 * agent's run directories (cookies, X server logs) and records, and the host's disk are on other file systems.
 * tmpfs because it needs nothing but {@code CAP_SYS_ADMIN} (which the workers' network namespaces need already), works
 * on any host file system and in a pod, and is made and dropped in milliseconds; its pages are charged to the memory
 * control group of the process that writes them, so a hosted desktop's files also count against its
 * {@code max-memory}.
 */
final class DesktopDisk {

    /** Where, inside a command's own mount namespace, the worker's {@code tmp/} is bound (those that exist). */
    static final List<String> PRIVATE_TEMP = List.of("/var/tmp", "/run/lock", "/dev/shm", "/tmp");
    /** The X servers' socket directory, bound read-only into the worker's {@code /tmp}: clients connect, none squats. */
    static final String X11_SOCKETS = "/tmp/.X11-unix";
    /**
     * The source name of every such file system: what a new namespace drops of the others' by ({@link #ENTER}), and
     * what tells them in {@code /proc/self/mountinfo}.
     */
    private static final String SOURCE = "envgrid-desktop";
    /**
     * Run as root once per reset inside the worker's new mount namespace (a private copy of the host's): first it drops
     * what it must not pin — every other worker's file system and the bindings of it (a home), found by their source
     * name in {@code mountinfo} (a copy would keep a renewed one's old tmpfs, and its memory, alive), and every
     * namespace file (mount and network: a copy of another's binding keeps that namespace alive) — then binds the
     * host's X socket directory (read-only: clients connect, nobody squats a name) and the host paths under
     * {@code /tmp} the worker must still see (a hosted desktop's home root: its home, its cookie; another worker's
     * home) into its {@code tmp/}, then, read-only, the entries of the shared temporary directories that hold a file
     * its commands are pointed at (the attached display's X cookie), then that directory over the shared temporary
     * directories. A mount that fails fails the reset, but for a read-only entry: one that is gone or cannot be bound is
     * left out (whoever can write the host's {@code /tmp} could make it so; without it the command meets what it would
     * meet without the file). Arguments: the file system's mount point, the home's binding (empty: none), the namespace
     * files' directory, the paths to bind through, {@code --}, then pairs of a read-only entry's host path and its name
     * in {@code tmp/}.
     */
    private static final String ENTER = "d=$1; own=$2; nsdir=$3; shift 3; "
            + "info=$(cat /proc/self/mountinfo); printf '%s\\n' \"$info\" | while read -r _ _ _ _ m rest; do case \" $rest \" in "
            + "*\" - tmpfs " + SOURCE + " \"*|*\" - nsfs \"*) m=$(printf '%b' \"$m\"); "
            + "[ \"$m\" = \"$d\" ] || [ \"$m\" = \"$own\" ] || umount -l \"$m\" 2>/dev/null;; esac; "
            + "done; "
            + "umount -l \"$nsdir\" 2>/dev/null; umount -l /run/netns 2>/dev/null; "
            + "mount --bind " + X11_SOCKETS + " \"$d/tmp/.X11-unix\" && mount -o remount,bind,ro \"$d/tmp/.X11-unix\" "
            + "|| exit 126; "
            + "for p in \"$@\"; do shift; [ \"$p\" = -- ] && break; "
            + "mount --rbind \"$p\" \"$d/tmp/${p#/tmp/}\" || exit 126; done; "
            + "while [ $# -ge 2 ]; do t=\"$d/tmp/$2\"; mount --bind \"$1\" \"$t\" 2>/dev/null "
            + "&& mount -o remount,bind,ro \"$t\" 2>/dev/null || umount -l \"$t\" 2>/dev/null; shift 2; done; "
            + "for t in " + String.join(" ", PRIVATE_TEMP) + "; do "
            + "[ -d \"$t\" ] || continue; mount --rbind \"$d/tmp\" \"$t\" || exit 126; done";
    private static final List<Path> NSENTER = List.of(Path.of("/usr/bin/nsenter"), Path.of("/bin/nsenter"));
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final List<Path> UNSHARE = List.of(Path.of("/usr/bin/unshare"), Path.of("/bin/unshare"));

    private final Path root;
    /** Where the worker's {@code home/} is bound; empty: a worker with no home of its own. */
    private final Optional<Path> home;
    private final long bytes;
    /** Host paths below {@code /tmp} that the worker's commands must still reach. */
    private final List<String> passThrough;
    /**
     * The entries of the shared temporary directories (their first component below one) that hold a file the worker's
     * commands are pointed at, bound read-only into its {@code tmp/} under their name there.
     */
    private final List<ReadOnlyEntry> readOnly;
    private final Path unshare;
    private final Path nsenter;
    /** The file the worker's mount namespace is bound to, in a directory of private propagation. */
    private final Path namespace;

    /**
     * A hosted desktop's: at {@code <home-root>/.disk/desktop-<i>}, its home bound at {@code home}; the home root is
     * bound into the desktop's {@code /tmp} at the same path when it is below {@code /tmp} (its home, its cookie).
     *
     * @param bytes the file system's size ({@code desktops.limits.max-disk})
     * @throws IllegalStateException see {@link #DesktopDisk(String, Path, Optional, List, List, long)}
     */
    static DesktopDisk hosted(Path homeRoot, int index, Path home, long bytes) {
        Path homes = homeRoot.toAbsolutePath().normalize();
        return new DesktopDisk("envgrid.device-agent.desktops.limits.max-disk",
                homes.resolve(".disk").resolve("desktop-" + index), Optional.of(home), List.of(homes), List.of(), bytes);
    }

    /**
     * Another worker uid's (the attached desktop's exec user, the host device): at {@code <dataDir>/.disk/<name>},
     * its home (when it has one of its own) bound at {@code home} and, when that is below {@code /tmp}, into its
     * {@code /tmp} at the same path.
     *
     * @param setting the size's setting, for the messages
     * @param shown files the worker's commands are pointed at (the attached display's X cookie, {@code XAUTHORITY}):
     *            one below a shared temporary directory stays visible to them, read-only, with its own owner and mode
     *            (the entry holding it is bound through at each reset); others need nothing
     * @throws IllegalStateException see {@link #DesktopDisk(String, Path, Optional, List, List, long)}
     */
    static DesktopDisk of(String setting, Path dataDir, String name, Optional<Path> home, List<Path> shown,
            long bytes) {
        return new DesktopDisk(setting, dataDir.toAbsolutePath().normalize().resolve(".disk").resolve(name),
                home.map(h -> h.toAbsolutePath().normalize()), home.stream().toList(), shown, bytes);
    }

    /**
     * An entry of a shared temporary directory bound read-only into the worker's {@code tmp/}: {@code source} the
     * host's ({@code /tmp/xvfb-run.AbC}), {@code name} its name there ({@code xvfb-run.AbC}).
     */
    private record ReadOnlyEntry(Path source, String name) {
    }

    /**
     * @param setting the size's setting, for the messages
     * @param root its mount point, {@code <disks>/<name>}
     * @param home the worker's home path, where {@code root/home} is bound; empty: none
     * @param reachable host paths the worker's commands must reach at the same path: those below {@code /tmp} are bound
     *            into its {@code /tmp}
     * @param shown files the worker's commands read at their host path: those below one of {@link #PRIVATE_TEMP} are
     *            reached through their entry there, bound read-only
     * @param bytes the file system's size
     * @throws IllegalStateException a size below 1 MiB; {@code unshare} or {@code nsenter} missing; a reachable path
     *             below another of {@link #PRIVATE_TEMP}, which the worker sees as its own
     */
    private DesktopDisk(String setting, Path root, Optional<Path> home, List<Path> reachable, List<Path> shown,
            long bytes) {
        if (bytes < 1024 * 1024) {
            throw new IllegalStateException(setting + " must be at least 1m, not " + bytes + " bytes");
        }
        this.root = root.toAbsolutePath().normalize();
        this.home = home.map(h -> h.toAbsolutePath().normalize());
        this.bytes = bytes;
        List<String> through = new ArrayList<>();
        for (Path path : reachable) {
            String reached = path.toAbsolutePath().normalize().toString();
            for (String shared : PRIVATE_TEMP) {
                if (!shared.equals("/tmp") && (reached + "/").startsWith(shared + "/")) {
                    throw new IllegalStateException(reached + " is below " + shared + ", which the worker's commands see "
                            + "as their own (" + setting + "): choose another directory");
                }
            }
            if (reached.startsWith("/tmp/")) {
                through.add(reached);
            }
        }
        this.passThrough = List.copyOf(through);
        List<ReadOnlyEntry> entries = new ArrayList<>();
        for (Path file : shown) {
            Path path = file.toAbsolutePath().normalize();
            for (String shared : PRIVATE_TEMP) {
                Path directory = Path.of(shared);
                if (!path.startsWith(directory) || path.getNameCount() == directory.getNameCount()) {
                    continue;
                }
                String name = path.getName(directory.getNameCount()).toString();
                // the X socket directory is bound already; a name taken (by a reachable path, by another entry) stays
                // the first's: the worker's four directories are one
                boolean taken = name.equals(".X11-unix") || through.stream().anyMatch(t -> Path.of(t).getName(1)
                        .toString().equals(name)) || entries.stream().anyMatch(e -> e.name().equals(name));
                if (!taken) {
                    entries.add(new ReadOnlyEntry(directory.resolve(name), name));
                }
            }
        }
        this.readOnly = List.copyOf(entries);
        this.namespace = this.root.getParent().resolve(".ns").resolve(this.root.getFileName().toString());
        this.nsenter = NSENTER.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalStateException("nsenter (util-linux) not found in " + NSENTER));
        this.unshare = UNSHARE.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalStateException("unshare (util-linux) not found in " + UNSHARE
                        + ": a worker's commands need a mount namespace of their own for " + setting));
    }

    /** Where a hosted desktop's screen recording is written (on this file system, in a directory only root enters). */
    Path recording() {
        return root.resolve("recording").resolve("recording.mp4");
    }

    /** The directory of this disk's mount point and of its namespace file's directory {@code .ns}. */
    Path disks() {
        return root.getParent();
    }

    /** The host's path of what the worker's commands see as {@code /tmp}. */
    Path temp() {
        return root.resolve("tmp");
    }

    /** {@link WorkerExec}'s view of {@link #temp()}: where the agent writes a file a command of the worker reads. */
    WorkerExec.Scratch scratch() {
        return new WorkerExec.Scratch(temp(), Path.of("/tmp"));
    }

    /**
     * The words that put a command of the worker into its mount namespace, where its {@code tmp/} is its temporary
     * directories, starting in its home (a mount namespace's entry leaves a process at its root; {@code /} for a worker
     * without a home of its own); run as root, after the control-group join and the network namespace and before an
     * {@code outbound} desktop's {@code resolv.conf} binding ({@code DesktopNetwork.resolverPrefix}, which this
     * {@code setns} would leave behind), the limits and the user switch. One {@code setns}, no mount per command: the
     * namespace is made once per reset ({@link #renew}).
     */
    List<String> enterPrefix() {
        return List.of(nsenter.toString(), "--mount=" + namespace, "--wdns=" + home.map(Path::toString).orElse("/"),
                "--");
    }

    /**
     * Drops the worker's file system (everything the former worker wrote goes with it) and mounts a new, empty one with
     * its directories; the home, when it has one, is bound at its path, empty, the worker's ({@code workers.handOver}),
     * 0700. Every process of the worker must be dead: one still holding a file there keeps only the old, detached copy.
     */
    void renew(WorkerExec workers) throws ResetFailure {
        try {
            remove();
            Files.createDirectories(root.getParent());
            Files.setPosixFilePermissions(root.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.createDirectories(root);
            if (home.isPresent()) {
                if (!Files.isDirectory(home.get(), LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(home.get());
                } else {
                    // a home the former agent left on the host's disk (before disks, or its mount lost): its bytes go
                    LinkSafeTree.recreate(home.get());
                }
                Files.setPosixFilePermissions(home.get(), PosixFilePermissions.fromString("rwx------"));
            }
            run("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",nr_inodes=" + (bytes / 4096 + 1024)
                    + ",mode=0711,nosuid,nodev", SOURCE, root.toString());
            Files.createDirectory(root.resolve("recording"), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Path temp = temp();
            Files.createDirectory(temp);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setAttribute(temp, "unix:mode", 01777);
            Files.createDirectory(temp.resolve(".X11-unix")); // the mount point of the host's, root's 0755
            for (String through : passThrough) {
                Files.createDirectories(temp.resolve(through.substring("/tmp/".length())));
            }
            List<ReadOnlyEntry> bound = new ArrayList<>();
            for (ReadOnlyEntry entry : readOnly) {
                // its mount point, of its kind now (a link followed, as the binding does); one that is gone is left out
                if (Files.isDirectory(entry.source())) {
                    Files.createDirectory(temp.resolve(entry.name()));
                } else if (Files.exists(entry.source())) {
                    Files.createFile(temp.resolve(entry.name()));
                } else {
                    continue;
                }
                bound.add(entry);
            }
            if (home.isPresent()) {
                Path own = root.resolve("home");
                Files.createDirectory(own, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
                run("mount", "--bind", own.toString(), home.get().toString());
                workers.handOver(home.get());
            }
            makeNamespace(bound);
        } catch (IOException | IllegalStateException | java.io.UncheckedIOException e) {
            throw new ResetFailure("cannot make the worker's file system at " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * A new mount namespace for the worker, bound to {@link #namespace} (the former one's binding dropped first: with
     * no process left in it, it goes), set up by {@link #ENTER}, with these read-only entries (their mount points made).
     */
    private void makeNamespace(List<ReadOnlyEntry> bound) throws IOException {
        Path directory = namespace.getParent();
        Files.createDirectories(directory);
        if (!mountPoint(directory)) {
            // a namespace's file may be bound only where mounts do not propagate (unshare(1)); on a host whose / is
            // shared (systemd) the directory is made a private mount of its own
            run("mount", "--bind", directory.toString(), directory.toString());
            run("mount", "--make-private", directory.toString());
        }
        Files.write(namespace, new byte[0]);
        // real paths: the script compares them with mountinfo's, where a link on the way is resolved
        List<String> command = new ArrayList<>(List.of(unshare.toString(), "--mount=" + namespace, "--propagation",
                "private", "--", "/bin/sh", "-c", ENTER, "envgrid-desktop-disk", root.toRealPath().toString(),
                home.isPresent() ? home.get().toRealPath().toString() : "", directory.toString()));
        command.addAll(passThrough);
        command.add("--");
        for (ReadOnlyEntry entry : bound) {
            command.add(entry.source().toString());
            command.add(entry.name());
        }
        run(command.toArray(String[]::new));
    }

    /**
     * Drops the worker's mount namespace, the home's binding and the file system (agent stop, before a renewal, and at
     * start for what a SIGKILLed former agent left); nothing where nothing is mounted.
     */
    void remove() {
        unmount(namespace);
        home.ifPresent(DesktopDisk::unmount);
        unmount(root);
    }

    /**
     * Drops what the disks under {@code disks} ({@code <home-root>/.disk}, {@code <data-dir>/.disk}) share: the private
     * binding of {@code .ns} that holds their namespace files ({@link #makeNamespace}). At the agent's stop, after
     * every such disk's {@link #remove}: left mounted, it outlived the agent on its host (and its directory could not
     * be deleted).
     */
    static void removeShared(Path disks) {
        unmount(disks.toAbsolutePath().normalize().resolve(".ns"));
    }

    /**
     * {@link #removeShared} once no namespace file under {@code <disks>/.ns} is bound any more: for the disks of several
     * owners that stop one by one (the host device, the attached desktop), the last one's stop drops it.
     */
    static void removeSharedIfUnused(Path disks) {
        Path directory = disks.toAbsolutePath().normalize().resolve(".ns");
        try (java.util.stream.Stream<Path> files = Files.list(directory)) {
            if (files.anyMatch(DesktopDisk::mountPoint)) {
                return;
            }
        } catch (IOException e) {
            return; // no directory: nothing was bound there
        }
        removeShared(disks);
    }

    private static void unmount(Path mounted) {
        // lazily: a mount still referenced (by nothing of the desktop, all dead) must not stop the reset
        for (int round = 0; round < 8 && mountPoint(mounted); round++) {
            run("umount", "--lazy", mounted.toString());
        }
    }

    /** Whether {@code path} is a mount point now ({@code /proc/self/mountinfo}: the fifth field, octal escapes). */
    static boolean mountPoint(Path path) {
        String wanted = path.toAbsolutePath().normalize().toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                if (fields.length > 4 && unescape(fields[4]).equals(wanted)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void run(String... command) {
        ProcessOutcome outcome = HostProcesses.run(List.of(command), null, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                COMMAND_TIMEOUT);
        if (!outcome.succeeded()) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + outcome.exitCode() + "): "
                    + outcome.stderr().strip());
        }
    }
}

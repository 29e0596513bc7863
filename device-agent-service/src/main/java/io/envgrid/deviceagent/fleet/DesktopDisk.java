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
import java.util.concurrent.locks.ReentrantReadWriteLock;

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
 * <li>{@code tmp/}, {@code var-tmp/}, {@code run-lock/}, {@code dev-shm/} (1777): what the worker's commands see as
 * {@code /tmp}, {@code /var/tmp}, {@code /run/lock} and {@code /dev/shm}, in the worker's own mount namespace (made at
 * every reset, kept by a binding of its file {@code <disks>/.ns/<name>}, entered by {@link #enterPrefix()}), so the
 * host's world-writable directories are out of the worker's reach but for the paths below them the agent hands the
 * worker ({@link Reach}), bound at their own path;</li>
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

    /**
     * The host's shared temporary directories, each covered, inside a command's own mount namespace, by a directory of
     * the worker's file system ({@link TempDirectory#own}): those the host has are bound over, {@code /tmp} last (a
     * {@code /var/tmp} that is a link to it then ends up as the worker's {@code /tmp}, not the other way round).
     */
    static final List<TempDirectory> PRIVATE_TEMP = List.of(new TempDirectory(Path.of("/var/tmp"), "var-tmp"),
            new TempDirectory(Path.of("/run/lock"), "run-lock"), new TempDirectory(Path.of("/dev/shm"), "dev-shm"),
            new TempDirectory(Path.of("/tmp"), "tmp"));

    /**
     * One of the host's shared temporary directories ({@code host}) and the name of the worker's directory that covers
     * it ({@code own}, below the file system's mount point; 1777), apart from the others' so that a host path below
     * {@code /var/tmp} the worker must reach ({@link Reach}) is not also at the same name in its {@code /tmp}.
     */
    record TempDirectory(Path host, String own) {
    }

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
     * host's X socket directory (read-only: clients connect, nobody squats a name), then the host paths below the
     * shared temporary directories that the agent hands the worker ({@link Reach}), each at its own path in the
     * worker's directory of that name, outermost first (an inner one's mount point is then the host's own, inside the
     * outer binding), then those directories over the host's. A mount that fails fails the reset, but for a read-only
     * path: one that is gone or cannot be bound is left out (whoever can write the host's {@code /tmp} could make it
     * so; without it the command meets what it would meet without the file). Arguments: the file system's mount point,
     * the home's binding (empty: none), the namespace files' directory, then triples of {@code rw} or {@code ro}, the
     * host path and its mount point.
     */
    private static final String ENTER = "d=$1; own=$2; nsdir=$3; shift 3; "
            + "info=$(cat /proc/self/mountinfo); printf '%s\\n' \"$info\" | while read -r _ _ _ _ m rest; do case \" $rest \" in "
            + "*\" - tmpfs " + SOURCE + " \"*|*\" - nsfs \"*) m=$(printf '%b' \"$m\"); "
            + "[ \"$m\" = \"$d\" ] || [ \"$m\" = \"$own\" ] || umount -l \"$m\" 2>/dev/null;; esac; "
            + "done; "
            + "umount -l \"$nsdir\" 2>/dev/null; umount -l /run/netns 2>/dev/null; "
            + "mount --bind " + X11_SOCKETS + " \"$d/tmp/.X11-unix\" && mount -o remount,bind,ro \"$d/tmp/.X11-unix\" "
            + "|| exit 126; "
            + "while [ $# -ge 3 ]; do if [ \"$1\" = rw ]; then mount --rbind \"$2\" \"$3\" || exit 126; "
            + "else mount --bind \"$2\" \"$3\" 2>/dev/null && mount -o remount,bind,ro \"$3\" 2>/dev/null "
            + "|| umount -l \"$3\" 2>/dev/null; fi; shift 3; done; "
            + "for t in " + String.join(" ", PRIVATE_TEMP.stream().map(t -> t.host() + ":" + t.own()).toList()) + "; do "
            + "[ -d \"${t%%:*}\" ] || continue; mount --rbind \"$d/${t#*:}\" \"${t%%:*}\" || exit 126; done";
    private static final List<Path> NSENTER = List.of(Path.of("/usr/bin/nsenter"), Path.of("/bin/nsenter"));
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The environment of the mount commands: {@code LC_ALL=C}, since their messages are matched ("not mounted",
     * "Invalid argument") and an agent started with a {@code LANG} of a language util-linux is translated into would
     * get them in that language.
     */
    private static final Map<String, String> COMMANDS_ENVIRONMENT = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin",
            "LC_ALL", "C");
    private static final List<Path> UNSHARE = List.of(Path.of("/usr/bin/unshare"), Path.of("/bin/unshare"));
    private static final List<Path> TASKSET = List.of(Path.of("/usr/bin/taskset"), Path.of("/bin/taskset"));
    /** What unshare(1) says when the kernel takes the new namespace for an older one (mount(2)'s EINVAL). */
    private static final String REFUSED_AS_OLDER = "ns/mnt on ";
    /**
     * Guards the namespace files' directories ({@code <disks>/.ns}) every disk of this agent shares: their binding is
     * made ({@link #makeNamespace}) and dropped ({@link #removeShared}) under the write lock, a namespace file bound
     * under the read lock. The first resets of the hosted desktops run at once; without it each could find the
     * directory not yet bound and bind it, and a binding made after another disk's file was bound hid that file:
     * entering it failed ({@code nsenter}: EINVAL) and its unmount found nothing at the path.
     */
    private static final ReentrantReadWriteLock SHARED = new ReentrantReadWriteLock();

    private final Path root;
    /** Where the worker's {@code home/} is bound; empty: a worker with no home of its own. */
    private final Optional<Path> home;
    private final long bytes;
    /**
     * The host paths below a shared temporary directory that the worker's commands must still reach at their own path,
     * outermost first.
     */
    private final List<Reach> reached;
    private final Path unshare;
    private final Path nsenter;
    /** The file the worker's mount namespace is bound to, in a directory of private propagation. */
    private final Path namespace;

    /**
     * A hosted desktop's: at {@code <home-root>/.disk/desktop-<i>}, its home bound at {@code home}; the home root is
     * reached read-write (its home, its cookie).
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
     * its home (when it has one of its own) bound at {@code home} and reached read-write.
     *
     * @param setting the size's setting, for the messages
     * @param shown files the agent points the worker's commands at or runs them with (the attached display's X cookie,
     *            {@code XAUTHORITY}; the paths in {@code desktop.open-command}): reached read-only, with their own
     *            owner and mode, at each reset
     * @throws IllegalStateException see {@link #DesktopDisk(String, Path, Optional, List, List, long)}
     */
    static DesktopDisk of(String setting, Path dataDir, String name, Optional<Path> home, List<Path> shown,
            long bytes) {
        return new DesktopDisk(setting, dataDir.toAbsolutePath().normalize().resolve(".disk").resolve(name),
                home.map(h -> h.toAbsolutePath().normalize()), home.stream().toList(), shown, bytes);
    }

    /**
     * A host path below a shared temporary directory that the worker's commands must still reach at that path: bound,
     * at each reset, onto the same path in the worker's directory that covers that one ({@code mountPoint}, on its
     * file system). {@code writable}: recursively and read-write, a directory of the worker's (its home, a hosted
     * desktop's home root); else read-only, what the agent points it at and it must not change for the next holder.
     */
    record Reach(Path path, Path mountPoint, boolean writable) {
    }

    /**
     * @param setting the size's setting, for the messages
     * @param root its mount point, {@code <disks>/<name>}
     * @param home the worker's home path, where {@code root/home} is bound; empty: none
     * @param writable directories of the worker's its commands reach at their host path, read-write
     * @param shown files its commands are pointed at: one right in a shared temporary directory is reached itself,
     *            one deeper through its directory (a cookie rewritten by a rename stays current), read-only
     * @param bytes the file system's size
     * @throws IllegalStateException a size below 1 MiB; {@code unshare} or {@code nsenter} missing; a writable path
     *             that is a shared temporary directory itself
     */
    private DesktopDisk(String setting, Path root, Optional<Path> home, List<Path> writable, List<Path> shown,
            long bytes) {
        if (bytes < 1024 * 1024) {
            throw new IllegalStateException(setting + " must be at least 1m, not " + bytes + " bytes");
        }
        this.root = root.toAbsolutePath().normalize();
        this.home = home.map(h -> h.toAbsolutePath().normalize());
        this.bytes = bytes;
        List<Reach> reach = new ArrayList<>();
        for (Path path : writable) {
            Path directory = path.toAbsolutePath().normalize();
            if (PRIVATE_TEMP.stream().anyMatch(t -> t.host().equals(directory))) {
                throw new IllegalStateException(directory + " is a shared temporary directory, which the worker's "
                        + "commands see as their own (" + setting + "): choose a directory below it or elsewhere");
            }
            reachable(directory, true).ifPresent(reach::add);
        }
        for (Path file : shown) {
            Path path = file.toAbsolutePath().normalize();
            Path parent = path.getParent();
            boolean rightIn = parent == null || PRIVATE_TEMP.stream().anyMatch(t -> t.host().equals(parent));
            reachable(rightIn ? path : parent, false)
                    .filter(r -> reach.stream().noneMatch(o -> o.path().equals(r.path())))
                    .ifPresent(reach::add);
        }
        // outermost first: an inner path's mount point is then inside the outer one's binding, the host's own
        reach.sort(java.util.Comparator.comparingInt(r -> r.path().getNameCount()));
        this.reached = List.copyOf(reach);
        this.namespace = this.root.getParent().resolve(".ns").resolve(this.root.getFileName().toString());
        this.nsenter = NSENTER.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalStateException("nsenter (util-linux) not found in " + NSENTER));
        this.unshare = UNSHARE.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalStateException("unshare (util-linux) not found in " + UNSHARE
                        + ": a worker's commands need a mount namespace of their own for " + setting));
    }

    /**
     * The {@link Reach} of {@code path} when it is below one of the shared temporary directories (and not in the X
     * socket directory, bound already); empty otherwise: the worker reaches it as the host has it.
     */
    private Optional<Reach> reachable(Path path, boolean writable) {
        for (TempDirectory shared : PRIVATE_TEMP) {
            if (path.startsWith(shared.host()) && !path.equals(shared.host())) {
                if (path.startsWith(Path.of(X11_SOCKETS))) {
                    return Optional.empty();
                }
                return Optional.of(new Reach(path, root.resolve(shared.own()).resolve(shared.host().relativize(path)),
                        writable));
            }
        }
        return Optional.empty();
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
            for (TempDirectory shared : PRIVATE_TEMP) {
                Path own = root.resolve(shared.own());
                Files.createDirectory(own);
                Files.setAttribute(own, "unix:mode", 01777);
            }
            Files.createDirectory(temp().resolve(".X11-unix")); // the mount point of the host's, root's 0755
            List<Reach> bound = new ArrayList<>();
            for (Reach reach : reached) {
                // an inner one's mount point is the host's own, inside an outer one's binding; one that is gone is left
                // out (a directory of the worker's is there: its home, made above)
                if (!Files.exists(reach.path())) {
                    continue;
                }
                if (bound.stream().noneMatch(outer -> reach.path().startsWith(outer.path()))) {
                    Files.createDirectories(reach.mountPoint().getParent());
                    if (Files.isDirectory(reach.path())) {
                        Files.createDirectory(reach.mountPoint());
                    } else {
                        Files.createFile(reach.mountPoint());
                    }
                }
                bound.add(reach);
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
     * no process left in it, it goes), set up by {@link #ENTER}, with these paths reached (their mount points made).
     */
    private void makeNamespace(List<Reach> bound) throws IOException {
        Path directory = namespace.getParent();
        Files.createDirectories(directory);
        SHARED.readLock().lock();
        if (!mountPoint(directory)) {
            SHARED.readLock().unlock(); // no upgrade: the write lock waits for every reader
            SHARED.writeLock().lock();
            try {
                if (!mountPoint(directory)) {
                    // a namespace's file may be bound only where mounts do not propagate (unshare(1)); on a host whose
                    // / is shared (systemd) the directory is made a private mount of its own
                    run("mount", "--bind", directory.toString(), directory.toString());
                    run("mount", "--make-private", directory.toString());
                }
                SHARED.readLock().lock(); // downgraded: other disks bind their files meanwhile, none drops it
            } finally {
                SHARED.writeLock().unlock();
            }
        }
        try {
            Files.write(namespace, new byte[0]);
            // real paths: the script compares them with mountinfo's, where a link on the way is resolved
            List<String> command = new ArrayList<>(List.of(unshare.toString(), "--mount=" + namespace,
                    "--propagation", "private", "--", "/bin/sh", "-c", ENTER, "envgrid-desktop-disk",
                    root.toRealPath().toString(), home.isPresent() ? home.get().toRealPath().toString() : "",
                    directory.toString()));
            for (Reach reach : bound) {
                command.addAll(List.of(reach.writable() ? "rw" : "ro", reach.path().toString(),
                        reach.mountPoint().toString()));
            }
            runOnSomeCpu(command);
        } finally {
            SHARED.readLock().unlock();
        }
    }

    /**
     * Runs {@code command}, which makes a mount namespace and binds its file ({@code unshare --mount=<file>}), and
     * when the kernel refuses that binding as older, again pinned to each CPU this process may run on
     * ({@link #allowedCpus()}, in order) until one accepts it. The kernel binds a mount namespace's file only in a
     * namespace older than it (no loop of namespaces pinning each other), judged by the namespaces' ids; since Linux
     * 6.18 these come from per-CPU batches, so a namespace made on one CPU may get a smaller id than the agent's own,
     * made earlier on another, and the binding fails with EINVAL. On the host the agent's namespace is the first one
     * (the smallest id) and this never happens; in a container, whose namespace is new, it does for every reset that
     * runs on such a CPU (DesktopHostImageTest: most resets of the desktop-host image's desktop). On the CPU holding
     * the newest batch the new id is larger than every earlier one. Only the CPUs of the process's affinity are tried
     * (a pod's cpuset may leave it fewer than the machine has): {@code taskset} to another fails.
     *
     * @throws IllegalStateException the command failed otherwise (at once, not retried); the refusal again on every
     *             allowed CPU, or no {@code taskset} to try them (the message says so and names the CPUs tried)
     */
    static void runOnSomeCpu(List<String> command) {
        IllegalStateException refused;
        try {
            run(command.toArray(String[]::new));
            return;
        } catch (IllegalStateException failure) {
            if (!refusedAsOlder(failure)) {
                throw failure;
            }
            refused = failure;
        }
        Optional<Path> taskset = TASKSET.stream().filter(Files::isExecutable).findFirst();
        if (taskset.isEmpty()) {
            throw new IllegalStateException(refused.getMessage() + "; taskset (util-linux), to make it again on each "
                    + "CPU, not found in " + TASKSET, refused);
        }
        List<Integer> cpus = allowedCpus();
        for (int cpu : cpus) {
            List<String> pinned = new ArrayList<>(List.of(taskset.get().toString(), "--cpu-list", Integer.toString(cpu)));
            pinned.addAll(command);
            try {
                run(pinned.toArray(String[]::new));
                return;
            } catch (IllegalStateException again) {
                if (!refusedAsOlder(again)) {
                    throw again;
                }
            }
        }
        throw new IllegalStateException(refused.getMessage() + "; refused as older again when pinned to each CPU this "
                + "agent may run on in turn, " + cpus, refused);
    }

    private static boolean refusedAsOlder(IllegalStateException failure) {
        String message = String.valueOf(failure.getMessage());
        return message.contains(REFUSED_AS_OLDER) && message.contains("Invalid argument");
    }

    /** The CPUs this process may run on ({@code Cpus_allowed_list} of {@code /proc/self/status}). */
    static List<Integer> allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return cpuList(line.substring(line.indexOf(':') + 1));
                }
            }
            throw new IllegalStateException("no Cpus_allowed_list in /proc/self/status");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read /proc/self/status", e);
        }
    }

    /** A kernel CPU list ({@code 0-3,8,10-11}) as its CPU numbers, ascending. */
    static List<Integer> cpuList(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String range : list.strip().split(",")) {
            if (range.isEmpty()) {
                continue;
            }
            String[] ends = range.split("-");
            int first = Integer.parseInt(ends[0].strip());
            int last = ends.length > 1 ? Integer.parseInt(ends[1].strip()) : first;
            for (int cpu = first; cpu <= last; cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
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
        SHARED.writeLock().lock();
        try {
            unmount(disks.toAbsolutePath().normalize().resolve(".ns"));
        } finally {
            SHARED.writeLock().unlock();
        }
    }

    /**
     * {@link #removeShared} once no namespace file under {@code <disks>/.ns} is bound any more: for the disks of several
     * owners that stop one by one (the host device, the attached desktop), the last one's stop drops it.
     */
    static void removeSharedIfUnused(Path disks) {
        Path directory = disks.toAbsolutePath().normalize().resolve(".ns");
        SHARED.writeLock().lock(); // no disk binds its file between the look and the unmount
        try (java.util.stream.Stream<Path> files = Files.list(directory)) {
            if (files.noneMatch(DesktopDisk::mountPoint)) {
                removeShared(disks);
            }
        } catch (IOException e) {
            // no directory: nothing was bound there
        } finally {
            SHARED.writeLock().unlock();
        }
    }

    /**
     * Unmounts {@code mounted} until {@code mountinfo} no longer lists it, or until what it lists there is out of the
     * path's reach ({@code umount}: "not mounted"): a mount hidden under a later one at a directory above it (left so
     * by a former agent; {@link #SHARED}). Such a mount is not what the path leads to, so it is no longer the disk's;
     * it goes with the one above.
     */
    private static void unmount(Path mounted) {
        // lazily: a mount still referenced (by nothing of the desktop, all dead) must not stop the reset
        for (int round = 0; round < 8 && mountPoint(mounted); round++) {
            ProcessOutcome outcome = HostProcesses.run(List.of("umount", "--lazy", mounted.toString()), null,
                    COMMANDS_ENVIRONMENT, COMMAND_TIMEOUT);
            if (!outcome.succeeded()) {
                if (outcome.stderr().contains("not mounted")) {
                    return;
                }
                throw failed(List.of("umount", "--lazy", mounted.toString()), outcome);
            }
        }
    }

    /**
     * {@code path} absolute with every link on the way resolved, as far as it exists (the rest, made later, appended
     * as given, normalized).
     *
     * @throws java.io.UncheckedIOException an existing part cannot be resolved
     */
    private static Path real(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing.getParent() != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot resolve " + absolute, e);
        }
    }

    /**
     * Whether {@code path} is a mount point now ({@code /proc/self/mountinfo}: the fifth field, octal escapes), compared
     * as its {@link #real} path: mountinfo lists mount points with the links on the way resolved (a home root or data
     * directory configured through a link).
     */
    static boolean mountPoint(Path path) {
        String wanted = real(path).toString();
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
        ProcessOutcome outcome = HostProcesses.run(List.of(command), null, COMMANDS_ENVIRONMENT,
                COMMAND_TIMEOUT);
        if (!outcome.succeeded()) {
            throw failed(List.of(command), outcome);
        }
    }

    private static IllegalStateException failed(List<String> command, ProcessOutcome outcome) {
        return new IllegalStateException(String.join(" ", command) + " failed (" + outcome.exitCode() + "): "
                + outcome.stderr().strip());
    }
}

package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything one hosted desktop's worker can write, on one size-bounded file system of its own: a {@code tmpfs} of
 * {@code desktops.limits.max-disk} bytes at {@code <home-root>/.disk/desktop-<i>} (root's, 0711), mounted anew at every
 * reset (so the reset's wipe is an unmount), holding
 * <ul>
 * <li>{@code home/}: the worker's home, bind-mounted at its usual path {@code <home-root>/desktop-<i>};</li>
 * <li>{@code tmp/} (1777): what the worker's commands see as {@code /tmp}, {@code /var/tmp}, {@code /run/lock} and
 * {@code /dev/shm}, in the desktop's own mount namespace (made at every reset, kept by a binding of its file
 * {@code <home-root>/.disk/.ns/desktop-<i>}, entered by {@link #enterPrefix()}), so the host's world-writable
 * directories are out of the worker's reach;</li>
 * <li>{@code recording/} (0700, root's): the desktop's screen recording.</li>
 * </ul>
 * A worker that fills it gets {@code ENOSPC} and harms only itself: the other desktops' homes and {@code /tmp}, the
 * agent's run directories (cookies, X server logs) and records, and the host's disk are on other file systems.
 * tmpfs because it needs nothing but {@code CAP_SYS_ADMIN} (which the desktops' network namespaces need already), works
 * on any host file system and in a pod, and is made and dropped in milliseconds; its pages are charged to the memory
 * control group of the process that writes them, so a desktop's files also count against its {@code max-memory}.
 */
final class DesktopDisk {

    /** Where, inside a command's own mount namespace, the desktop's {@code tmp/} is bound (those that exist). */
    static final List<String> PRIVATE_TEMP = List.of("/var/tmp", "/run/lock", "/dev/shm", "/tmp");
    /** The X servers' socket directory, bound read-only into the desktop's {@code /tmp}: clients connect, none squats. */
    static final String X11_SOCKETS = "/tmp/.X11-unix";
    /**
     * Run as root once per reset inside the desktop's new mount namespace (a private copy of the host's): first it
     * drops what it must not pin — the other desktops' file systems and homes (a copy would keep a renewed one's old
     * tmpfs, and its memory, alive), the namespace files of the others (mount and network) — then binds the host's X
     * socket directory (read-only: clients connect, nobody squats a name) and the host paths under {@code /tmp} the worker
     * must still see (the home root: its home, its cookie) into the desktop's {@code tmp/}, then that directory over the
     * shared temporary directories. A mount that fails fails the reset.
     */
    private static final String ENTER = "d=$1; homes=$2; own=$3; shift 3; "
            + "for m in \"$homes\"/.disk/desktop-* \"$homes\"/desktop-*; do "
            + "[ \"$m\" = \"$d\" ] || [ \"$m\" = \"$own\" ] || umount -l \"$m\" 2>/dev/null; done; "
            + "umount -l \"$homes/.disk/.ns\" 2>/dev/null; for n in /run/netns/*; do umount -l \"$n\" 2>/dev/null; done; "
            + "umount -l /run/netns 2>/dev/null; "
            + "mount --bind " + X11_SOCKETS + " \"$d/tmp/.X11-unix\" && mount -o remount,bind,ro \"$d/tmp/.X11-unix\" "
            + "|| exit 126; "
            + "for p in \"$@\"; do mount --rbind \"$p\" \"$d/tmp/${p#/tmp/}\" || exit 126; done; "
            + "for t in " + String.join(" ", PRIVATE_TEMP) + "; do "
            + "[ -d \"$t\" ] || continue; mount --rbind \"$d/tmp\" \"$t\" || exit 126; done";
    private static final List<Path> NSENTER = List.of(Path.of("/usr/bin/nsenter"), Path.of("/bin/nsenter"));
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final List<Path> UNSHARE = List.of(Path.of("/usr/bin/unshare"), Path.of("/bin/unshare"));
    private static final List<Path> TASKSET = List.of(Path.of("/usr/bin/taskset"), Path.of("/bin/taskset"));
    /** What unshare(1) says when the kernel takes the new namespace for an older one (mount(2)'s EINVAL). */
    private static final String REFUSED_AS_OLDER = "ns/mnt on ";

    private final Path root;
    private final Path home;
    private final long bytes;
    /** Host paths below {@code /tmp} that the worker's commands must still reach (the home root, when it is there). */
    private final List<String> passThrough;
    private final Path unshare;
    private final Path nsenter;
    /** The file the desktop's mount namespace is bound to, in a directory of private propagation. */
    private final Path namespace;
    private final Path homeRoot;

    /**
     * @param root its mount point, {@code <home-root>/.disk/desktop-<i>}
     * @param home the worker's home path, where {@code root/home} is bound
     * @param homeRoot the directory of every desktop's home and the agent's run directories: when it is below
     *            {@code /tmp} it is bound into the desktop's {@code /tmp} at the same path
     * @param bytes the file system's size
     * @throws IllegalStateException {@code unshare} missing, or the home root below another of {@link #PRIVATE_TEMP}
     */
    DesktopDisk(Path root, Path home, Path homeRoot, long bytes) {
        if (bytes < 1024 * 1024) {
            throw new IllegalStateException("envgrid.device-agent.desktops.limits.max-disk must be at least 1m, not "
                    + bytes + " bytes");
        }
        this.root = root.toAbsolutePath();
        this.home = home.toAbsolutePath();
        this.bytes = bytes;
        String homes = homeRoot.toAbsolutePath().normalize().toString();
        for (String shared : PRIVATE_TEMP) {
            if (!shared.equals("/tmp") && (homes + "/").startsWith(shared + "/")) {
                throw new IllegalStateException("envgrid.device-agent.desktops.home-root " + homes + " is below "
                        + shared + ", which the desktops' commands see as their own: choose another");
            }
        }
        this.passThrough = homes.startsWith("/tmp/") ? List.of(homes) : List.of();
        this.homeRoot = homeRoot.toAbsolutePath().normalize();
        this.namespace = this.homeRoot.resolve(".disk").resolve(".ns").resolve(root.getFileName().toString());
        this.nsenter = NSENTER.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalStateException("nsenter (util-linux) not found in " + NSENTER));
        this.unshare = UNSHARE.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalStateException("unshare (util-linux) not found in " + UNSHARE
                        + ": the hosted desktops' commands need a mount namespace of their own"));
    }

    /** Where the desktop's screen recording is written (on this file system, in a directory only root enters). */
    Path recording() {
        return root.resolve("recording").resolve("recording.mp4");
    }

    /** The host's path of what the desktop's commands see as {@code /tmp}. */
    Path temp() {
        return root.resolve("tmp");
    }

    /**
     * The words that put a command of the desktop into its mount namespace, where the desktop's {@code tmp/} is its
     * temporary directories, starting in its home (a mount namespace's entry leaves a process at its root); run as
     * root, after the control-group join and the network namespace and before an {@code outbound} desktop's
     * {@code resolv.conf} binding ({@code DesktopNetwork.resolverPrefix}, which this {@code setns} would leave behind),
     * the limits and the user switch. One {@code setns}, no mount per command: the namespace is made once per reset
     * ({@link #renew}).
     */
    List<String> enterPrefix() {
        return List.of(nsenter.toString(), "--mount=" + namespace, "--wdns=" + home, "--");
    }

    /**
     * Drops the desktop's file system (everything the former worker wrote goes with it) and mounts a new, empty one
     * with its directories; the home is bound at its path, empty, the worker's ({@code workers.handOver}), 0700. Every
     * process of the desktop must be dead: one still holding a file there keeps only the old, detached copy.
     */
    void renew(WorkerExec workers) throws ResetFailure {
        try {
            remove();
            Files.createDirectories(root.getParent());
            Files.setPosixFilePermissions(root.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.createDirectories(root);
            if (!Files.isDirectory(home, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(home);
            } else {
                // a home the former agent left on the host's disk (before disks, or its mount lost): its bytes go
                LinkSafeTree.recreate(home);
            }
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
            run("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",nr_inodes=" + (bytes / 4096 + 1024)
                    + ",mode=0711,nosuid,nodev", "envgrid-desktop", root.toString());
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
            Path own = root.resolve("home");
            Files.createDirectory(own, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            run("mount", "--bind", own.toString(), home.toString());
            workers.handOver(home);
            makeNamespace();
        } catch (IOException | IllegalStateException | java.io.UncheckedIOException e) {
            throw new ResetFailure("cannot make the desktop's file system at " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * A new mount namespace for the desktop, bound to {@link #namespace} (the former one's binding dropped first: with
     * no process left in it, it goes), set up by {@link #ENTER}.
     */
    private void makeNamespace() throws IOException {
        Path directory = namespace.getParent();
        Files.createDirectories(directory);
        if (!mountPoint(directory)) {
            // a namespace's file may be bound only where mounts do not propagate (unshare(1)); on a host whose / is
            // shared (systemd) the directory is made a private mount of its own
            run("mount", "--bind", directory.toString(), directory.toString());
            run("mount", "--make-private", directory.toString());
        }
        Files.write(namespace, new byte[0]);
        List<String> command = new ArrayList<>(List.of(unshare.toString(), "--mount=" + namespace, "--propagation",
                "private", "--", "/bin/sh", "-c", ENTER, "envgrid-desktop-disk", root.toString(), homeRoot.toString(),
                home.toString()));
        command.addAll(passThrough);
        try {
            run(command.toArray(String[]::new));
        } catch (IllegalStateException refused) {
            if (!refusedAsOlder(refused)) {
                throw refused;
            }
            makeNamespaceOnEachCpu(command, refused);
        }
    }

    /**
     * The kernel binds a mount namespace's file only in a namespace older than it (no loop of namespaces pinning each
     * other), judged by the namespaces' ids; since Linux 6.18 these come from per-CPU batches, so a namespace made on
     * one CPU may get a smaller id than the agent's own, made earlier on another, and the binding fails with EINVAL.
     * On the host the agent's namespace is the first one (the smallest id) and this never happens; in a container, whose
     * namespace is new, it does for every reset that runs on such a CPU (DesktopHostImageTest: most resets of the
     * desktop-host image's desktop). Made again pinned to each CPU the agent may use in turn: on the one holding the
     * newest batch the new id is larger than every earlier one.
     */
    private void makeNamespaceOnEachCpu(List<String> command, IllegalStateException refused) {
        Path taskset = TASKSET.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> refused);
        for (int cpu : allowedCpus()) {
            List<String> pinned = new ArrayList<>(List.of(taskset.toString(), "--cpu-list", Integer.toString(cpu)));
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
        throw new IllegalStateException(refused.getMessage() + " (on every CPU of " + allowedCpus() + " too)", refused);
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
     * Drops the desktop's mount namespace, the home's binding and the file system (agent stop, and before a renewal);
     * nothing where nothing is mounted.
     */
    void remove() {
        for (Path mounted : List.of(namespace, home, root)) {
            unmount(mounted);
        }
    }

    /**
     * Drops what the desktops' disks share under {@code homeRoot}: the private binding of {@code .disk/.ns} that holds
     * their namespace files ({@link #makeNamespace}). At the agent's stop, after every desktop's {@link #remove}: left
     * mounted, it outlived the agent on its host (and its home root could not be deleted).
     */
    static void removeShared(Path homeRoot) {
        unmount(homeRoot.toAbsolutePath().normalize().resolve(".disk").resolve(".ns"));
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

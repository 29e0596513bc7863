package io.envgrid.deviceagent.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Where the agent makes its desktops' control groups, and makes them: one directory {@code envgrid-desktops-<agent
 * pid>} below the agent's own group, and one {@code desktop-<i>} below it per hosted desktop, with the {@code memory}
 * and {@code pids} controllers.
 * <ul>
 * <li><b>cgroup v2</b> (a {@code cgroup2} mount whose group of the agent offers both controllers in
 * {@code cgroup.controllers}, e.g. a systemd unit with {@code Delegate=yes}): a group with processes cannot hand
 * controllers to its children ("no internal processes"), so the agent first moves itself into a leaf
 * {@code envgrid-agent} of its group, then enables {@code +memory +pids} in its group's and in
 * {@code envgrid-desktops-<pid>}'s {@code cgroup.subtree_control}.</li>
 * <li><b>cgroup v1</b> (the {@code memory} and {@code pids} controllers each on a {@code cgroup} mount, as on the machine
 * this was built on): a directory in each hierarchy, below the agent's group in it.</li>
 * </ul>
 * v2 is used when it has both controllers, else v1 when both hierarchies are there and the agent may make
 * directories in them; else {@link #detect} answers why not.
 * <p>
 * An agent that was SIGKILLed never removed its groups, and what ran in them runs on, counted against nothing the new
 * agent knows of: before it makes its own parent, {@link #detect} kills the processes in every {@code
 * envgrid-desktops-<pid>} beside it whose agent is gone and removes those groups ({@link #sweepStale}).
 */
public final class DesktopCgroups {

    private static final Logger LOG = Logger.getLogger(DesktopCgroups.class);
    /** The parents agents make, named by their pid. */
    private static final Pattern PARENT = Pattern.compile("envgrid-desktops-(\\d{1,19})");
    /**
     * Linux's PID_MAX_LIMIT on 64-bit: a parent named by a larger number was made by no agent process (tests name their
     * own parents so), and is never taken for a dead agent's.
     */
    private static final long PID_MAX_LIMIT = 4_194_304;
    /** Rounds of SIGKILL for the processes of a stale group before it is left (and logged). */
    private static final int KILL_ROUNDS = 20;

    private final List<Path> parents;
    private final boolean unified;

    private DesktopCgroups(List<Path> parents, boolean unified) {
        this.parents = List.copyOf(parents);
        this.unified = unified;
    }

    /** What {@link #detect} found: the agent's groups to make desktops' groups in, or why there are none. */
    public sealed interface Detection {
        /** Control groups with both controllers, made and usable. */
        record Usable(DesktopCgroups cgroups) implements Detection {
        }

        /** No usable memory (or pids) controller: {@code reason} says what is missing. */
        record Unusable(String reason) implements Detection {
        }
    }

    /** Looks at this process' mounts and groups ({@code /proc/self/mountinfo}, {@code /proc/self/cgroup}). */
    public static Detection detect() {
        return detect(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"), ProcessHandle.current().pid());
    }

    /**
     * {@link #detect()} from the given files (tests point them at a tree of their own); makes the parent directory
     * {@code envgrid-desktops-<pid>} in each hierarchy it chooses.
     */
    static Detection detect(Path mountinfo, Path cgroupFile, long pid) {
        List<String> mounts;
        Map<String, String> groups = new LinkedHashMap<>();
        try {
            mounts = Files.readAllLines(mountinfo);
            for (String line : Files.readAllLines(cgroupFile)) {
                String[] parts = line.split(":", 3); // hierarchy-id:controllers:path
                if (parts.length == 3) {
                    groups.put(parts[1], parts[2]);
                }
            }
        } catch (IOException e) {
            return new Detection.Unusable("cannot read " + mountinfo + " or " + cgroupFile + ": " + e.getMessage());
        }
        String name = "envgrid-desktops-" + pid;
        Optional<Path> v2 = ownGroup(mounts, groups, "cgroup2", "");
        if (v2.isPresent() && offers(v2.get(), "memory") && offers(v2.get(), "pids")) {
            sweepStale(List.of(v2.get()), true, pid);
            try {
                return new Detection.Usable(new DesktopCgroups(List.of(unifiedParent(v2.get(), name, pid)), true));
            } catch (IOException | UncheckedIOException e) {
                return new Detection.Unusable("cgroup v2 at " + v2.get() + " offers memory and pids, but: " + e.getMessage());
            }
        }
        Optional<Path> memory = ownGroup(mounts, groups, "cgroup", "memory");
        Optional<Path> pids = ownGroup(mounts, groups, "cgroup", "pids");
        if (memory.isEmpty() || pids.isEmpty()) {
            return new Detection.Unusable("no cgroup v2 group of the agent offers the memory and pids controllers"
                    + (v2.map(p -> " (" + p + ")").orElse("")) + ", and no cgroup v1 hierarchy has "
                    + (memory.isEmpty() ? "memory" : "pids"));
        }
        sweepStale(List.of(memory.get(), pids.get()), false, pid);
        List<Path> made = new ArrayList<>();
        try {
            for (Path own : List.of(memory.get(), pids.get())) {
                made.add(Files.createDirectories(own.resolve(name)));
            }
        } catch (IOException e) {
            return new Detection.Unusable("cgroup v1 memory and pids hierarchies are mounted, but the agent cannot make "
                    + "its group there: " + e);
        }
        return new Detection.Usable(new DesktopCgroups(made, false));
    }

    /**
     * Makes (or takes again, after an agent restart in the same process) desktop {@code index}'s group with its limits;
     * a process left in it by a former run is killed.
     *
     * @param memoryBytes {@code memory.max} (v1: {@code memory.limit_in_bytes}, and {@code memory.memsw.limit_in_bytes}
     *            where swap is accounted, so swap does not extend it)
     * @param maxPids {@code pids.max}: processes and threads of the group together
     * @throws UncheckedIOException when the kernel refuses a directory or a limit
     */
    public DesktopCgroup create(int index, long memoryBytes, int maxPids) {
        return create("desktop-" + index, memoryBytes, maxPids);
    }

    /**
     * As {@link #create(int, long, int)}, for the group named {@code name} (one directory name: {@code desktop-<i>},
     * {@code host-device}).
     */
    public DesktopCgroup create(String name, long memoryBytes, int maxPids) {
        List<Path> dirs = new ArrayList<>();
        try {
            for (Path parent : parents) {
                dirs.add(Files.createDirectories(parent.resolve(name)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the control group " + name, e);
        }
        DesktopCgroup group = new DesktopCgroup(dirs, unified, memoryBytes);
        group.killAll(); // a former agent's leftovers must not count against the new holder
        Path memory = dirs.get(0);
        if (unified) {
            DesktopCgroup.write(memory.resolve("memory.max"), Long.toString(memoryBytes));
            writeIfPresent(memory.resolve("memory.swap.max"), "0");
            DesktopCgroup.write(memory.resolve("pids.max"), Integer.toString(maxPids));
        } else {
            // memsw is memory + swap and may never be below memory.limit_in_bytes: raise it first when growing
            Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
            writeIfPresent(memsw, "-1");
            DesktopCgroup.write(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
            writeIfPresent(memsw, Long.toString(memoryBytes));
            DesktopCgroup.write(dirs.get(1).resolve("pids.max"), Integer.toString(maxPids));
        }
        return group;
    }

    /**
     * Removes the groups a former agent left beside the agent's own groups {@code owns} (one per hierarchy): every
     * {@code envgrid-desktops-<n>} but {@code pid}'s whose process {@code n} is gone, after killing what runs in its
     * groups. A live process of that number is taken for a running agent and left alone (after pid reuse the leftover
     * stays until that process ends: the rare miss, never a live agent's groups lost). Failures are logged, not thrown:
     * the new agent's own groups do not depend on them.
     *
     * @return the names of the parents removed
     */
    static List<String> sweepStale(List<Path> owns, boolean unified, long pid) {
        Map<String, List<Path>> stale = new TreeMap<>();
        for (Path own : owns) {
            for (Path dir : subgroups(own)) {
                Matcher named = PARENT.matcher(dir.getFileName().toString());
                if (!named.matches()) {
                    continue;
                }
                long former;
                try {
                    former = Long.parseLong(named.group(1));
                } catch (NumberFormatException e) {
                    continue; // beyond a long: no agent's
                }
                if (former != pid && former <= PID_MAX_LIMIT && ProcessHandle.of(former).isEmpty()) {
                    stale.computeIfAbsent(dir.getFileName().toString(), key -> new ArrayList<>()).add(dir);
                }
            }
        }
        List<String> removed = new ArrayList<>();
        stale.forEach((name, parents) -> {
            if (removeStale(parents, unified)) {
                removed.add(name);
            }
        });
        if (!removed.isEmpty()) {
            LOG.warnf("removed the control groups %s of a former agent that did not stop cleanly (their processes killed)",
                    removed);
        }
        return removed;
    }

    /** Kills what is in each group below {@code parents} (same names across hierarchies), removes them and the parents. */
    private static boolean removeStale(List<Path> parents, boolean unified) {
        Map<String, List<Path>> byName = new TreeMap<>();
        parents.forEach(parent -> subgroups(parent).forEach(
                dir -> byName.computeIfAbsent(dir.getFileName().toString(), key -> new ArrayList<>()).add(dir)));
        try {
            for (List<Path> dirs : byName.values()) {
                DesktopCgroup left = new DesktopCgroup(dirs, unified, 0);
                for (int round = 0; round < KILL_ROUNDS && !left.pids().isEmpty(); round++) {
                    List<ProcessHandle> dying = left.pids().stream().flatMap(p -> ProcessHandle.of(p).stream()).toList();
                    left.killAll();
                    dying.forEach(p -> p.onExit().orTimeout(1, TimeUnit.SECONDS).exceptionally(e -> null).join());
                }
                left.remove();
            }
            for (Path parent : parents) {
                Files.deleteIfExists(parent);
            }
            return true;
        } catch (IOException | UncheckedIOException e) {
            LOG.warnf("cannot remove the control groups %s of a former agent: %s", parents, e.getMessage());
            return false;
        }
    }

    /** The child groups (directories) of {@code group}; none when it cannot be listed. */
    private static List<Path> subgroups(Path group) {
        try (Stream<Path> children = Files.list(group)) {
            return children.filter(Files::isDirectory).toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /** Removes the parent directories (agent shutdown, after every desktop's group is gone). */
    public void remove() throws IOException {
        for (Path parent : parents) {
            Files.deleteIfExists(parent);
        }
    }

    /** Which cgroup version the groups are made with, for the logs: {@code "v2"} or {@code "v1"}. */
    public String version() {
        return unified ? "v2" : "v1";
    }

    /** The parent directories, one per hierarchy. */
    public List<Path> parents() {
        return parents;
    }

    /**
     * The agent's own group on the mount of type {@code fstype} that carries {@code controller} ({@code ""} for v2):
     * the mount point joined with the group's path relative to the mount's root (they differ in a cgroup namespace).
     */
    private static Optional<Path> ownGroup(List<String> mounts, Map<String, String> groups, String fstype,
            String controller) {
        for (String line : mounts) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] fields = line.substring(0, dash).split(" ");
            String[] after = line.substring(dash + 3).split(" ");
            if (fields.length < 5 || after.length < 3 || !after[0].equals(fstype)) {
                continue;
            }
            boolean carries = controller.isEmpty() || List.of(after[2].split(",")).contains(controller);
            String own = groups.entrySet().stream()
                    .filter(g -> controller.isEmpty() ? g.getKey().isEmpty()
                            : List.of(g.getKey().split(",")).contains(controller))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            if (!carries || own == null) {
                continue;
            }
            String root = fields[3];
            String relative = own.startsWith(root) ? own.substring(root.length()) : own;
            return Optional.of(Path.of(fields[4], relative.replaceFirst("^/+", "")));
        }
        return Optional.empty();
    }

    private static boolean offers(Path group, String controller) {
        try {
            return List.of(Files.readString(group.resolve("cgroup.controllers")).strip().split("\\s+"))
                    .contains(controller);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * On v2: moves the agent into the leaf {@code envgrid-agent} of its group (when the group holds processes), enables
     * both controllers for the children, and makes {@code name} with them enabled for its own children.
     */
    private static Path unifiedParent(Path own, String name, long pid) throws IOException {
        Path leaf = Files.createDirectories(own.resolve("envgrid-agent"));
        if (!Files.readString(own.resolve("cgroup.procs")).isBlank()) {
            DesktopCgroup.write(leaf.resolve("cgroup.procs"), Long.toString(pid));
        }
        DesktopCgroup.write(own.resolve("cgroup.subtree_control"), "+memory +pids");
        Path parent = Files.createDirectories(own.resolve(name));
        DesktopCgroup.write(parent.resolve("cgroup.subtree_control"), "+memory +pids");
        return parent;
    }

    private static void writeIfPresent(Path file, String value) {
        if (Files.exists(file)) {
            DesktopCgroup.write(file, value);
        }
    }
}

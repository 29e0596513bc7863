package io.envgrid.deviceagent.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The control group of one hosted desktop: every process of it (X server, window manager, start-up programs, every
 * worker command) joins it before it runs its program, so the kernel bounds their memory ({@code memory.max}, v1
 * {@code memory.limit_in_bytes}) and their number ({@code pids.max}) together, and its OOM killer picks a victim inside
 * this group only.
 *
 * @param directories the group's directory in every hierarchy that holds one of its controllers: one on cgroup v2,
 *            the {@code memory} and the {@code pids} hierarchy's on v1
 * @param unified whether it is a cgroup v2 group ({@code cgroup.kill}, {@code memory.current})
 * @param memoryLimitBytes the memory limit written at creation, in bytes
 */
public record DesktopCgroup(List<Path> directories, boolean unified, long memoryLimitBytes) {

    /**
     * Joins the groups named as arguments up to {@code --}, then execs the rest: {@code $$} is the shell, which becomes
     * the program, so the program starts inside the group and everything it forks stays there. A join that fails stops
     * the command (status 126) rather than run it unbounded.
     */
    private static final String JOIN = "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 126; shift; done; shift; "
            + "exec \"$@\"";

    public DesktopCgroup {
        directories = List.copyOf(directories);
    }

    /**
     * The words that start a command inside this group: a tiny {@code /bin/sh} that writes its own pid to each
     * {@code cgroup.procs} and execs the command (no fork, so nothing runs outside the group). They must come before
     * any uid switch: only the agent (root) may write those files.
     */
    public List<String> joinPrefix() {
        List<String> words = new ArrayList<>(List.of("/bin/sh", "-c", JOIN, "envgrid-cgroup-join"));
        directories.forEach(dir -> words.add(dir.resolve("cgroup.procs").toString()));
        words.add("--");
        return words;
    }

    /** The pids of the processes in the group now (every hierarchy's, so none is missed on v1). */
    public Set<Long> pids() {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path dir : directories) {
            try {
                for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                    if (!line.isBlank()) {
                        pids.add(Long.parseLong(line.strip()));
                    }
                }
            } catch (NoSuchFileException e) {
                // removed: nothing in it
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir.resolve("cgroup.procs"), e);
            }
        }
        return pids;
    }

    /**
     * Sends SIGKILL to every process in the group: {@code cgroup.kill} on v2 (the kernel kills the whole group at once,
     * forks racing it included), on v1 each pid listed (the caller repeats until {@link #pids()} is empty).
     */
    public void killAll() {
        Path kill = directories.get(0).resolve("cgroup.kill");
        if (unified && Files.exists(kill)) {
            write(kill, "1");
            return;
        }
        for (long pid : pids()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Memory the group uses now, in bytes (page cache included, as the limit counts it); -1 once it is gone. */
    public long memoryUsageBytes() {
        Path usage = directories.get(0).resolve(unified ? "memory.current" : "memory.usage_in_bytes");
        try {
            return Long.parseLong(Files.readString(usage).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Removes the group's directories (agent shutdown); its processes must be gone (else the kernel refuses with
     * EBUSY, reported as an {@link IOException}).
     */
    public void remove() throws IOException {
        for (Path dir : directories) {
            Files.deleteIfExists(dir);
        }
    }

    static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + value + " to " + file, e);
        }
    }
}

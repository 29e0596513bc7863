package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.cgroup.DesktopCgroup;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.process.HostProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Ends every process of one desktop (or of the host device, {@link HostDevice}). With a user switch (root agent) that
 * is every process of the desktop's uid,
 * killed by {@code kill -KILL -1} run as that uid: kill(2) with pid -1 reaches every process the caller may signal,
 * that is every one of its uid, in one call, so a process forking meanwhile is caught by the repeat. Without a switch
 * (the agent's own uid runs every desktop) it is the processes whose environment names the desktop's display: best
 * effort, as a worker can leave it; such an agent does not isolate desktops from each other (see the README).
 */
final class DesktopProcesses {

    /** Rounds of killing before a desktop whose processes keep coming back counts as not reset. */
    private static final int ROUNDS = 20;

    /** The uid whose processes are ended when switching users. */
    private final long uid;
    private final WorkerExec workers;
    /** The display the desktop's clients were started on (without a user switch, what names them as its). */
    private final Supplier<Optional<String>> display;

    /** The desktop's control group: whatever is in it is the desktop's too, whatever its uid; empty for the host device. */
    private final Optional<DesktopCgroup> cgroup;

    DesktopProcesses(long uid, WorkerExec workers, Supplier<Optional<String>> display, Optional<DesktopCgroup> cgroup) {
        this.uid = uid;
        this.workers = workers;
        this.display = display;
        this.cgroup = cgroup;
    }

    /**
     * Kills every process of the desktop's uid and, with a control group, every process in it (a stronger guarantee
     * than the uid: it also holds what runs as root there, the X server), round after round until none is left.
     */
    void killAll() throws ResetFailure {
        for (int round = 0; round < ROUNDS; round++) {
            List<ProcessHandle> left = remaining();
            if (left.isEmpty() && cgroupEmpty()) {
                return;
            }
            List<ProcessHandle> dying = new java.util.ArrayList<>(left);
            cgroup.ifPresent(group -> group.pids().forEach(pid -> ProcessHandle.of(pid).ifPresent(dying::add)));
            if (!left.isEmpty()) {
                kill(left);
            }
            cgroup.ifPresent(DesktopCgroup::killAll);
            for (ProcessHandle process : dying) {
                process.onExit().orTimeout(1, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null).join();
            }
        }
        List<ProcessHandle> left = remaining();
        if (!left.isEmpty()) {
            throw new ResetFailure(left.size() + " processes of the desktop survived " + ROUNDS + " rounds of SIGKILL "
                    + "(e.g. pid " + left.get(0).pid() + ")");
        }
        if (!cgroupEmpty()) {
            throw new ResetFailure("processes " + cgroup.orElseThrow().pids() + " in the desktop's control group "
                    + "survived " + ROUNDS + " rounds of SIGKILL");
        }
    }

    private boolean cgroupEmpty() {
        return cgroup.map(group -> group.pids().stream().allMatch(DesktopProcesses::zombie)).orElse(true);
    }

    /** One round of {@link #killAll()}, without waiting: ends what keeps a call of the ended lease running. */
    void killOnce() {
        List<ProcessHandle> left = remaining();
        if (!left.isEmpty()) {
            kill(left);
        }
    }

    private void kill(List<ProcessHandle> left) {
        if (workers.switchesUser()) {
            // not under the worker's limits: a fork bomb has used them up, and the kill must still start
            HostProcesses.run(workers.housekeeping(List.of("/bin/sh", "-c", "kill -KILL -1")), null,
                    workers.environment(Map.of()), Duration.ofSeconds(5));
        } else {
            left.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The desktop's live processes (zombies excluded: they are dead and hold nothing but their pid). */
    private List<ProcessHandle> remaining() {
        long self = ProcessHandle.current().pid();
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.pid() != self && ours(p.pid()) && !zombie(p.pid())).toList();
        }
    }

    private boolean ours(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            if (workers.switchesUser()) {
                return ((Number) Files.getAttribute(proc, "unix:uid")).longValue() == uid;
            }
            Optional<String> name = display.get();
            if (name.isEmpty()) {
                return false; // no X server was ever started: no client of it can run
            }
            byte[] environ = Files.readAllBytes(proc.resolve("environ"));
            String needle = "\0DISPLAY=" + name.get() + "\0";
            return ("\0" + new String(environ, StandardCharsets.UTF_8)).contains(needle);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // gone meanwhile, or not ours to read
        }
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return true; // gone
        }
    }
}

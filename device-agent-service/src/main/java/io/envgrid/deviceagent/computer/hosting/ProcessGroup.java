package io.envgrid.deviceagent.computer.hosting;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The Linux process group of a stdio server: the server is started as the leader of a new session (util-linux
 * {@code setsid}, which does not fork when its caller is no group leader, and a child of the JVM is none), so the group
 * id is the server's pid and holds everything it started that did not leave on purpose ({@code npx} → {@code sh} →
 * {@code node}, background helpers, daemons re-parented to init). Ending it ends all of them: SIGTERM to every member,
 * a grace period, then SIGKILL to whatever is left, read again from {@code /proc} until the group is empty (a member
 * may fork while it is being ended). Zombies count as ended: they run nothing and are their parent's to reap.
 */
final class ProcessGroup {

    private static final Path PROC = Path.of("/proc");
    private static final Duration POLL = Duration.ofMillis(20);
    /** Rounds of SIGKILL before giving up on a group that keeps forking. */
    private static final int KILL_ROUNDS = 50;

    private final long id;

    ProcessGroup(long id) {
        this.id = id;
    }

    long id() {
        return id;
    }

    /** The live members (pids), zombies left out. */
    List<Long> members() {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path entry : entries) {
                Optional<long[]> stat = stat(entry.resolve("stat"));
                if (stat.isPresent() && stat.get()[1] == id && stat.get()[0] != 'Z') {
                    out.add(Long.parseLong(entry.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc", e);
        }
        return out;
    }

    /** Ends every member: SIGTERM, up to {@code grace} to exit, then SIGKILL until none is left. */
    void end(Duration grace) {
        endAll(List.of(this), grace);
    }

    /** {@link #end} for several groups at once, so the grace period is spent once, not once per group. */
    static void endAll(Collection<ProcessGroup> groups, Duration grace) {
        groups.forEach(g -> g.signal(false));
        long deadline = System.nanoTime() + grace.toNanos();
        while (groups.stream().anyMatch(g -> !g.members().isEmpty()) && System.nanoTime() < deadline) {
            pause();
        }
        for (ProcessGroup g : groups) {
            for (int round = 0; round < KILL_ROUNDS && !g.members().isEmpty(); round++) {
                g.signal(true);
                pause();
            }
        }
    }

    private void signal(boolean kill) {
        for (long pid : members()) {
            ProcessHandle.of(pid).ifPresent(p -> {
                if (kill) {
                    p.destroyForcibly();
                } else {
                    p.destroy();
                }
            });
        }
    }

    /** {state, process group} of {@code /proc/<pid>/stat}; empty when the process is gone. */
    private static Optional<long[]> stat(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // vanished between listing and reading
        }
        // the command name (field 2) is in parentheses and may hold spaces and ')': fields follow the last ')'
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return Optional.of(new long[] {fields[0].charAt(0), Long.parseLong(fields[2])});
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

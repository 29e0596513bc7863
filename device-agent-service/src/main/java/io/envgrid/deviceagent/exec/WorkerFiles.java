package io.envgrid.deviceagent.exec;

import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File reads and writes made for a worker (desktop {@code /file}, {@code /setup/upload}, the host device's
 * {@code device.upload} / {@code device.download}) with the rights of the user
 * its commands run as ({@link WorkerExec}), not the agent's: done in-process by a root agent, {@code /file} of
 * {@code /proc/self/environ} would hand out the agent's service token, and an upload could overwrite any file. The
 * read is {@code cat} and the write {@code cat >} run as that user; the agent only moves the bytes (it opens the
 * uploaded file as standard input and collects standard output), so the user needs no right to the agent's files.
 * Opening as the user also leaves no gap between a permission check and the use (a symbolic link swapped in between).
 * <p>
 * Every test of a path (is it there, a regular file, a directory) is made as that user too, never by the agent: a root
 * agent's test would tell a worker which names exist in another desktop's home ("exists but not yours" answered
 * differently from "not there"). As the user, a name it may not reach is simply not there for it.
 */
@ApplicationScoped
public class WorkerFiles {

    /** A read or write of a local file; longer means a FIFO or a wedged file system. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What a read gave. */
    public sealed interface Read {
        /** The whole file. */
        record Content(byte[] bytes) implements Read {
        }

        /**
         * Not a regular file the worker's user can read: not there, not reachable by it, not readable, a directory. One
         * outcome with no reason, so that "not yours" and "not there" cannot be told apart.
         */
        record Unreadable() implements Read {
        }

        /** Larger than {@link HostProcesses#MAX_CAPTURED_BYTES}. */
        record TooLarge() implements Read {
        }
    }

    /** What a {@link #copy} did. */
    public sealed interface Copy {
        /** The target now holds the source's bytes. */
        record Copied() implements Copy {
        }

        /**
         * The source is no regular file the worker's user can read (not there, not reachable, a directory): one
         * outcome, so that "not yours" and "not there" cannot be told apart.
         */
        record Unreadable() implements Copy {
        }

        /** The source holds {@code sizeBytes}, more than the limit; nothing was written. */
        record TooLarge(long sizeBytes) implements Copy {
        }

        /** The target could not be written by that user; {@code reason} is what its tools printed. */
        record Unwritable(String reason) implements Copy {
        }
    }

    /** A directory listing made as the worker's user: entries in pre-order, each below the listed directory. */
    public record Listing(List<Entry> entries, List<String> unreadable, boolean truncated) {
    }

    /**
     * One entry of a {@link Listing}.
     *
     * @param path its path relative to the listed directory, {@code /}-separated
     * @param directory whether it is a directory (a symbolic link is not, whatever it points at)
     */
    public record Entry(String path, boolean directory) {
    }

    /** What find(1) says about a directory it may not read, in the C locale. */
    private static final Pattern DENIED = Pattern.compile("^find: '(.*)': .*$",
            Pattern.MULTILINE);

    /** The exit code of the listing script when its path is no directory the user can see. */
    private static final int NO_DIRECTORY = 64;
    /** The exit code of the copy script when its source is no regular file the user can read. */
    private static final int UNREADABLE = 65;
    /** The exit code of the copy script when its source is over the limit (its size on standard output). */
    private static final int TOO_LARGE = 66;

    /**
     * Writes standard input to {@code $1} as the user running it: a directory there is refused, missing parents made.
     */
    private static final String WRITE_STDIN_TO_1 = "if [ -d \"$1\" ]; then echo \"$1: is a directory\" >&2; exit 1; fi; "
            + "parent=$(dirname -- \"$1\") && mkdir -p -- \"$parent\" && cat > \"$1\"";

    private final WorkerExec workers;

    public WorkerFiles(WorkerExec workers) {
        this.workers = workers;
    }

    /** Reads {@code file} as the worker's user: a regular file only (a FIFO would hold the call). */
    public Read read(Path file) {
        ProcessOutcome outcome = HostProcesses.run(workers.command(List.of("/bin/sh", "-c",
                "[ -f \"$1\" ] && exec cat -- \"$1\"", "sh", file.toString())), null, workers.environment(Map.of()),
                TIMEOUT);
        if (!outcome.succeeded()) {
            return new Read.Unreadable();
        }
        if (outcome.stdout().length >= HostProcesses.MAX_CAPTURED_BYTES) {
            return new Read.TooLarge();
        }
        return new Read.Content(outcome.stdout());
    }

    /**
     * Lists {@code directory} recursively as the worker's user ({@code find}, pre-order, no links followed), at most
     * {@code maxEntries} entries: a root agent listing in-process would show the worker the names inside directories
     * its user may not open.
     *
     * @return the entries, the directories (relative paths) that could not be read, and whether the listing stopped at
     *         {@code maxEntries}; {@code null} when the directory itself cannot be listed, is not one, or is not there
     *         (for that user: one answer for all three)
     */
    public Listing list(Path directory, int maxEntries) {
        // NUL-separated (names may hold newlines); head stops find early on a huge tree; the directory test as the user
        ProcessOutcome outcome = HostProcesses.run(workers.command(List.of("/bin/sh", "-c",
                "[ -d \"$1\" ] || exit " + NO_DIRECTORY + "; find \"$1\" -mindepth 1 -printf '%y %P\\0' | head -z -n \"$2\"",
                "sh", directory.toString(), Integer.toString(maxEntries + 1))), null,
                workers.environment(Map.of("LC_ALL", "C")), TIMEOUT);
        if (outcome.timedOut() || outcome.exitCode() == NO_DIRECTORY) {
            return null;
        }
        String root = directory.toString();
        if (!root.startsWith("/")) {
            throw new IllegalArgumentException("list takes an absolute path: " + root); // find would read "-x" as a test
        }
        List<String> unreadable = new ArrayList<>();
        Matcher denied = DENIED.matcher(outcome.stderr());
        while (denied.find()) {
            String path = denied.group(1);
            if (path.equals(root)) {
                return null;
            }
            if (path.startsWith(root.endsWith("/") ? root : root + "/")) {
                unreadable.add(path.substring(root.endsWith("/") ? root.length() : root.length() + 1));
            }
        }
        List<Entry> entries = new ArrayList<>();
        String out = new String(outcome.stdout(), StandardCharsets.UTF_8);
        for (String record : out.split("\0")) {
            if (record.length() > 2) {
                entries.add(new Entry(record.substring(2), record.charAt(0) == 'd'));
            }
        }
        boolean truncated = entries.size() > maxEntries;
        return new Listing(truncated ? entries.subList(0, maxEntries) : entries, unreadable, truncated);
    }

    /**
     * Writes the content of {@code source} (a file the agent holds) to {@code target} as the worker's user, making
     * missing parent directories; a target that is a directory (for that user) is refused, as OSWorld's
     * {@code open(path, "wb")} refuses it.
     *
     * @return null when written, else why not (what the user's tools printed)
     */
    public String write(Path source, Path target) {
        ProcessOutcome outcome = HostProcesses.run(workers.command(List.of("/bin/sh", "-c", WRITE_STDIN_TO_1, "sh",
                target.toString())), null, workers.environment(Map.of()), TIMEOUT, source);
        if (outcome.succeeded()) {
            return null;
        }
        return refusal(outcome);
    }

    /**
     * Copies {@code source} to {@code target}, both read and written as the worker's user alone (the agent opens
     * neither): for a tree that user may change, where any name the agent followed could be swapped for a link to a
     * file of the agent's. {@code source} must be a regular file of at most {@code maxBytes} for that user; missing
     * parent directories of {@code target} are made, and a target that is a directory is refused, as {@link #write}.
     * Nothing is made when the source is refused, and the directories made are removed again when the write fails.
     */
    public Copy copy(Path source, Path target, long maxBytes) {
        // the size is the user's stat of the name; a file swapped or grown after it is still one that user may read
        ProcessOutcome outcome = HostProcesses.run(workers.command(List.of("/bin/sh", "-c",
                "[ -f \"$2\" ] && [ -r \"$2\" ] || exit " + UNREADABLE + "; size=$(stat -L -c %s -- \"$2\") || exit "
                        + UNREADABLE + "; [ \"$size\" -le \"$3\" ] || { echo \"$size\"; exit " + TOO_LARGE + "; }; "
                        // a refused write leaves nothing behind, not even the directories made for it
                        + "made=; p=$(dirname -- \"$1\"); while [ ! -e \"$p\" ] && [ ! -L \"$p\" ]; do made=$p; "
                        + "p=$(dirname -- \"$p\"); done; ( exec < \"$2\"; " + WRITE_STDIN_TO_1 + " ) && exit 0; "
                        + "status=$?; [ -z \"$made\" ] || rm -rf -- \"$made\"; exit $status",
                "sh", target.toString(), source.toString(), Long.toString(maxBytes))), null,
                workers.environment(Map.of("LC_ALL", "C")), TIMEOUT);
        if (outcome.succeeded()) {
            return new Copy.Copied();
        }
        if (!outcome.timedOut() && outcome.exitCode() == UNREADABLE) {
            return new Copy.Unreadable();
        }
        if (!outcome.timedOut() && outcome.exitCode() == TOO_LARGE) {
            return new Copy.TooLarge(Long.parseLong(new String(outcome.stdout(), StandardCharsets.UTF_8).strip()));
        }
        return new Copy.Unwritable(refusal(outcome));
    }

    private static String refusal(ProcessOutcome outcome) {
        return outcome.timedOut() ? "timed out" : outcome.stderr().strip();
    }
}

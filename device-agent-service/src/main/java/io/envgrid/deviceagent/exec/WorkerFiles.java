package io.envgrid.deviceagent.exec;

import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * File reads and writes made for a worker (desktop {@code /file}, {@code /setup/upload}) with the rights of the user
 * its commands run as ({@link WorkerExec}), not the agent's: done in-process by a root agent, {@code /file} of
 * {@code /proc/self/environ} would hand out the agent's service token, and an upload could overwrite any file. The
 * read is {@code cat} and the write {@code cat >} run as that user; the agent only moves the bytes (it opens the
 * uploaded file as standard input and collects standard output), so the user needs no right to the agent's files.
 * Opening as the user also leaves no gap between a permission check and the use (a symbolic link swapped in between).
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

        /** Not there, not a regular file's content, or not readable by the worker's user. */
        record Unreadable(String reason) implements Read {
        }

        /** Larger than {@link HostProcesses#MAX_CAPTURED_BYTES}. */
        record TooLarge() implements Read {
        }
    }

    private final WorkerExec workers;

    public WorkerFiles(WorkerExec workers) {
        this.workers = workers;
    }

    /** Reads {@code file} as the worker's user. */
    public Read read(Path file) {
        ProcessOutcome outcome = HostProcesses.run(workers.command(List.of("cat", "--", file.toString())), null,
                workers.environment(Map.of()), TIMEOUT);
        if (!outcome.succeeded()) {
            return new Read.Unreadable(outcome.timedOut() ? "timed out" : outcome.stderr().strip());
        }
        if (outcome.stdout().length >= HostProcesses.MAX_CAPTURED_BYTES) {
            return new Read.TooLarge();
        }
        return new Read.Content(outcome.stdout());
    }

    /**
     * Writes the content of {@code source} (a file the agent holds) to {@code target} as the worker's user, making
     * missing parent directories.
     *
     * @return null when written, else why not (what the tools printed)
     */
    public String write(Path source, Path target) {
        ProcessOutcome outcome = HostProcesses.run(workers.command(List.of("/bin/sh", "-c",
                "parent=$(dirname -- \"$1\") && mkdir -p -- \"$parent\" && cat > \"$1\"", "sh", target.toString())),
                null, workers.environment(Map.of()), TIMEOUT, source);
        if (outcome.succeeded()) {
            return null;
        }
        return outcome.timedOut() ? "timed out" : outcome.stderr().strip();
    }
}

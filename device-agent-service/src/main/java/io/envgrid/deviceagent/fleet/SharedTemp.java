package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.exec.WorkerExec;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.UserPrincipal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * What one worker uid (a hosted desktop's, the host device's) left in the directories every user can write to, which
 * outlives its processes: deleted at a reset, link-safe ({@link LinkSafeTree}), as root in directories others may
 * write to. Nothing without a user switch: every worker then runs as the agent and nothing tells whose a file is.
 */
final class SharedTemp {

    private static final Logger LOG = Logger.getLogger(SharedTemp.class);

    /**
     * Directories any user can leave files in that outlive its processes ({@code /var/lock} is a link to
     * {@code /run/lock} on current systems: resolved and counted once).
     */
    static final List<Path> SHARED = List.of(Path.of("/tmp"), Path.of("/var/tmp"), Path.of("/dev/shm"),
            Path.of("/run/lock"), Path.of("/var/lock"));
    /**
     * How deep below a shared directory world-writable directories of others are searched for the uid's entries
     * ({@code /tmp/.X11-unix/X7}, {@code /tmp/.ICE-unix/…}, a scratch directory a job made 1777).
     */
    private static final int SEARCH_DEPTH = 8;

    private final WorkerExec workers;
    private final List<Path> shared;

    /** @param shared the shared directories ({@link #SHARED}; tests: a scratch directory standing in for /tmp) */
    SharedTemp(WorkerExec workers, List<Path> shared) {
        this.workers = workers;
        this.shared = shared;
    }

    /**
     * With a user switch: deletes what the worker's uid owns in the shared directories, at their top and inside
     * world-writable directories of others below them, and in the POSIX message queue file system if one is mounted.
     */
    void clear() throws ResetFailure {
        if (workers.uid().isEmpty()) {
            return;
        }
        UserPrincipal owner;
        try {
            owner = FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(Long.toString(workers.uid().get()));
        } catch (IOException e) {
            throw new ResetFailure("cannot name uid " + workers.uid().get(), e);
        }
        for (Path dir : sharedDirectories()) {
            try (SecureDirectoryStream<Path> open = LinkSafeTree.open(dir)) {
                LinkSafeTree.deleteOwned(open, owner, SEARCH_DEPTH);
            } catch (IOException e) {
                throw new ResetFailure("cannot clear uid " + workers.uid().get() + "'s files in " + dir, e);
            }
        }
    }

    /** The shared directories that exist here, each once, plus the message queue mount. */
    private List<Path> sharedDirectories() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path dir : shared) {
            try {
                dirs.add(dir.toRealPath());
            } catch (IOException absent) {
                LOG.tracef("no %s here", dir);
            }
        }
        MessageQueues.mount().ifPresent(dirs::add);
        return List.copyOf(dirs);
    }
}

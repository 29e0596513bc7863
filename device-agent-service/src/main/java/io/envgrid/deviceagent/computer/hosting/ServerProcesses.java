package io.envgrid.deviceagent.computer.hosting;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The one door through which the Computer starts stdio server processes, and the list that shutdown ends. Starting
 * and {@link #shutdown} hold the same lock: a process is either started before shutdown began, and then it is in the
 * list shutdown ends, or it is refused. Nothing can start after shutdown began, so no server outlives the agent
 * (short of the agent being SIGKILLed, which no code of its own survives).
 */
final class ServerProcesses {

    private static final Logger LOG = Logger.getLogger(ServerProcesses.class);
    /** util-linux: runs the command as the leader of a new session, hence of a new process group. */
    private static final String SETSID = "/usr/bin/setsid";

    private final Set<ProcessGroup> live = new HashSet<>();
    private boolean closed;

    /**
     * Starts {@code command} in a process group of its own, stdin and stdout piped, stderr piped.
     *
     * @throws IllegalStateException once {@link #shutdown} has begun
     * @throws IOException when the process cannot be started
     */
    synchronized Started start(StdioCommand command) throws IOException {
        if (closed) {
            throw new IllegalStateException("the agent is shutting down: no server is started");
        }
        List<String> argv = new ArrayList<>();
        argv.add(SETSID);
        argv.add("--");
        argv.addAll(command.argv());
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().clear();
        builder.environment().putAll(command.environment());
        if (command.directory() != null) {
            builder.directory(command.directory().toFile());
        }
        Process process = builder.start();
        ProcessGroup group = new ProcessGroup(process.pid());
        live.add(group);
        return new Started(process, group);
    }

    /** A started server: its process (the group leader) and its group. */
    record Started(Process process, ProcessGroup group) {
    }

    /** Ends the group of a server that stopped or crashed, and forgets it. */
    void end(ProcessGroup group, Duration grace) {
        group.end(grace);
        synchronized (this) {
            live.remove(group);
        }
    }

    /** Refuses every later start and ends every group started so far (they get {@code grace} to exit on SIGTERM). */
    void shutdown(Duration grace) {
        List<ProcessGroup> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(live);
        }
        ProcessGroup.endAll(all, grace);
        synchronized (this) {
            live.removeAll(all);
        }
        LOG.debugf("ended %d stdio server process group(s)", all.size());
    }

    /** Whether {@link #shutdown} has begun. */
    synchronized boolean closed() {
        return closed;
    }
}

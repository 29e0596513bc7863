package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Where the POSIX message queues (mq_overview(7)) of this host can be listed: each queue is a file of the mqueue file
 * system, owned by its creator, and unlinking it removes the queue. Without a mount a worker's queues cannot be found,
 * though they outlive it, so a root agent mounts one at {@code /dev/mqueue} where there is none (as systemd does at
 * boot); where that is not allowed (a container without CAP_SYS_ADMIN) queues are not cleared, said once in the log.
 */
final class MessageQueues {

    private static final Logger LOG = Logger.getLogger(MessageQueues.class);
    private static final Path MOUNT_POINT = Path.of("/dev/mqueue");
    private static final Path MOUNTS = Path.of("/proc/self/mounts");
    /** Null until first looked for. */
    private static Optional<Path> mounted;

    private MessageQueues() {
    }

    /** The mqueue file system's mount point, mounting it first if the agent may; empty if there is none. */
    static synchronized Optional<Path> mount() {
        if (mounted != null) {
            return mounted; // looked for (and mounted) once per agent
        }
        mounted = find();
        if (mounted.isEmpty()) {
            try {
                Files.createDirectories(MOUNT_POINT);
                ProcessOutcome outcome = HostProcesses.run(List.of("mount", "-t", "mqueue", "mqueue",
                        MOUNT_POINT.toString()), null, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                        Duration.ofSeconds(10));
                if (!outcome.succeeded()) {
                    throw new IOException(outcome.stderr().strip());
                }
                mounted = find();
            } catch (IOException | RuntimeException e) {
                LOG.warnf("no mqueue file system and cannot mount one at %s (%s): workers' POSIX message queues are "
                        + "not removed at resets", MOUNT_POINT, e.getMessage());
            }
        }
        return mounted;
    }

    /** The first mqueue mount listed in {@code /proc/self/mounts} (proc(5): device, mount point, type, …). */
    private static Optional<Path> find() {
        try {
            for (String line : Files.readAllLines(MOUNTS)) {
                String[] fields = line.split(" ");
                if (fields.length > 2 && fields[2].equals("mqueue")) {
                    // mount points escape spaces as \040 (fstab(5)); a mount point here has none
                    return Optional.of(Path.of(fields[1]));
                }
            }
        } catch (IOException e) {
            LOG.debugf("cannot read %s: %s", MOUNTS, e.getMessage());
        }
        return Optional.empty();
    }
}

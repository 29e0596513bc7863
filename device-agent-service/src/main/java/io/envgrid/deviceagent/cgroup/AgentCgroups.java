package io.envgrid.deviceagent.cgroup;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The control groups of everything of this agent that runs workers' code with limits: the hosted desktops
 * ({@code fleet/DesktopFleet}) and the host device ({@code fleet/HostDevice}), one group each below one parent
 * ({@link DesktopCgroups}). Detected once, when first asked for, so an agent that needs none (no desktops, no host
 * device of its own uid) neither makes a parent nor warns. Each group gets the desktops' limits
 * ({@code envgrid.device-agent.desktops.limits.*}).
 */
@ApplicationScoped
public class AgentCgroups {

    private static final Logger LOG = Logger.getLogger(AgentCgroups.class);

    private final DeviceAgentConfig.Limits limits;
    private Optional<DesktopCgroups> detected;

    public AgentCgroups(DeviceAgentConfig config) {
        this.limits = config.desktops().limits();
    }

    /**
     * Makes (or takes again) the group {@code name} with the configured memory limit and {@code pids.max} =
     * {@code limits.max-processes}; empty where the host has no usable memory controller and {@code limits.max-memory}
     * is unset (warned once).
     *
     * @throws IllegalStateException when {@code limits.max-memory} is set and there is no usable memory controller:
     *             whoever set it counts on it, so the agent does not start
     */
    public synchronized Optional<DesktopCgroup> create(String name) {
        if (detected == null) {
            detected = detect();
        }
        return detected.map(tree -> tree.create(name, memoryLimitBytes(), limits.maxProcesses()));
    }

    /** The memory limit of each group, in bytes: {@code limits.max-memory}, 2 GiB when unset. */
    public long memoryLimitBytes() {
        return limits.maxMemory().map(MemorySize::asLongValue).orElse(DeviceAgentConfig.Limits.DEFAULT_MAX_MEMORY);
    }

    /**
     * Removes the parent directories once no group is left in them: called by each owner after it removed its own
     * groups (agent shutdown), so whichever stops last removes the parent.
     */
    public synchronized void removeIfUnused() {
        if (detected == null || detected.isEmpty()) {
            return;
        }
        for (Path parent : detected.get().parents()) {
            try (Stream<Path> children = Files.list(parent)) {
                if (children.anyMatch(Files::isDirectory)) {
                    return;
                }
            } catch (IOException e) {
                return; // gone already, or unreadable: nothing to remove here
            }
        }
        try {
            detected.get().remove();
        } catch (IOException e) {
            LOG.warnf("cannot remove the agent's control groups %s: %s", detected.get().parents(), e);
        }
    }

    /**
     * The parent groups, by the policy of {@code limits.max-memory}: none usable and the limit set is a refusal to
     * start; none usable and unset is a loud warning, the workers unbounded in memory.
     */
    private Optional<DesktopCgroups> detect() {
        DesktopCgroups.Detection found = DesktopCgroups.detect();
        if (found instanceof DesktopCgroups.Detection.Usable usable) {
            LOG.infof("control groups of hosted desktops and the host device (cgroup %s) under %s",
                    usable.cgroups().version(), usable.cgroups().parents());
            return Optional.of(usable.cgroups());
        }
        String reason = ((DesktopCgroups.Detection.Unusable) found).reason();
        if (limits.maxMemory().isPresent()) {
            throw new IllegalStateException("envgrid.device-agent.desktops.limits.max-memory is set, but this host "
                    + "has no usable memory controller: " + reason);
        }
        LOG.warnf("*** hosted desktops and the host device have NO MEMORY LIMIT: %s. One worker can take the host's "
                + "memory and get other desktops or the agent OOM-killed (envgrid_desktop_memory_limit_bytes 0). "
                + "Setting envgrid.device-agent.desktops.limits.max-memory makes this a refusal to start ***", reason);
        return Optional.empty();
    }
}

package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.cgroup.AgentCgroups;
import io.envgrid.deviceagent.cgroup.DesktopCgroup;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.exec.WorkerLimits;
import io.envgrid.deviceagent.osworld.DesktopException;
import io.envgrid.deviceagent.osworld.DesktopGate;
import io.envgrid.deviceagent.record.DeviceStore;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The host itself as the {@code linux} device, a resource that runs workers' code and is therefore reset between
 * leases like a hosted desktop (review11 F4: a holder's backgrounded process read and rewrote the next holder's
 * files). Its commands run as a uid of its own ({@code envgrid.device-agent.linux-host.uid}, no passwd entry, shared
 * with no desktop and not the exec user) with {@code HOME} and working directory its {@code files/} directory. It is
 * registered with {@code reset: true}; when a lease on it ends the allocator holds it {@code resetting} and
 * {@link DesktopResets} calls {@link #reset()}, which ends every process of that uid, empties {@code files/}, deletes
 * the uid's files in the shared temporary directories and its IPC objects, with the same steps a desktop's reset uses,
 * and reports it with the ended lease's fencing token ({@code failed} leaves it {@code down} until a retry of
 * {@link DesktopResets} succeeds).
 * <p>
 * Its commands get a hosted desktop's limits ({@code desktops.limits.*}): {@code prlimit} on each, and a control group
 * of its own ({@code host-device}, beside the desktops') bounding the memory and number of all its processes.
 * <p>
 * They run in a network namespace of its own ({@code linux-host.network}, by default {@code private} where it has a
 * uid of its own), with a hosted desktop's code ({@link DesktopNetwork}, {@code envgrid-<hash>-host}): the host's
 * loopback listeners (the agent's ports, the desktops' servers in {@code shared} mode) are out of reach, and an abstract
 * socket name it binds (an X server's {@code @/tmp/.X11-unix/X<n>}) is bound in its namespace only. Made at start and
 * anew at every reset, removed at agent stop.
 * <p>
 * Its {@code files/} directory and what its commands see as {@code /tmp}, {@code /var/tmp}, {@code /run/lock} and
 * {@code /dev/shm} are one file system of {@code linux-host.max-disk} bytes of its own, in a mount namespace of its
 * own with the host's X socket directory read-only (a hosted desktop's {@link DesktopDisk}, at
 * {@code <data-dir>/.disk/host-device}), where it has a uid of its own: a holder that fills it gets {@code ENOSPC}, the
 * agent's records beside {@code files/} and the host's disk untouched. Made at start and anew at every reset (the
 * reset's emptying of {@code files/}), removed at agent stop.
 * <p>
 * The user switch needs a root agent. Without it every holder runs as the agent's uid and nothing can be told apart,
 * so the device is not offered to the allocator at all unless {@code linux-host.lease-without-reset} says so (warned
 * loudly at start); it can still be used with the service token.
 */
@ApplicationScoped
public class HostDevice implements UidResource {

    private static final Logger LOG = Logger.getLogger(HostDevice.class);

    private final DeviceAgentConfig.LinuxHost settings;
    private final String deviceId;
    private final String resourceId;
    private final Path files;
    private final WorkerExec workers;
    private final DesktopGate gate = new DesktopGate();
    /** The reset's steps, shared with the attached desktop's. */
    private final UidReset resets;
    private final AgentCgroups cgroups;
    /** Its control group, where it has a uid of its own and the host a usable memory controller. */
    private final Optional<DesktopCgroup> cgroup;
    /** The network namespace its commands run in: its own ({@code linux-host.network=private}) or the host's. */
    private final DesktopNetwork network;
    /**
     * The file system of {@code files/} and its commands' {@code /tmp} ({@code linux-host.max-disk}), with their mount
     * namespace; empty where it has no uid of its own (not root): they then write the host's disk, unbounded.
     */
    private final Optional<DesktopDisk> disk;

    /**
     * Its network namespace ({@code linux-host.network=private}) and file system are made after the agent's start, on a
     * thread of their own ({@link UidReset#prepareInBackground}), which also removes what a SIGKILLed former run of the
     * agent left for them: until then its gate is closed (calls answer {@code 409}, "being prepared"), and when they
     * cannot be made it stays closed until a reset makes them.
     *
     * @throws IllegalStateException when the uid is root's, the exec user's or one of the hosted desktops': its reset
     *             would kill their processes and delete their files; when {@code linux-host.network=private} is set on
     *             an agent that is not root (no namespace and no uid of its own to reset)
     */
    public HostDevice(DeviceAgentConfig config, DeviceStore store, AgentIdentity identity, WorkerExec execUser,
            AgentCgroups cgroups) {
        this.settings = config.linuxHost();
        this.deviceId = settings.deviceId().orElseGet(HostDevice::hostName);
        this.resourceId = identity.deviceResourceId(deviceId);
        int uid = settings.uid();
        DeviceAgentConfig.Desktops desktops = config.desktops();
        if (uid <= 0 || execUser.uid().map(own -> own == uid).orElse(false)
                || uid >= desktops.firstUid() && uid < desktops.firstUid() + desktops.count()) {
            throw new IllegalStateException("envgrid.device-agent.linux-host.uid=" + uid + " must be a uid of the host "
                    + "device alone: not root, not the exec user's, not one of the desktops' (" + desktops.firstUid()
                    + " + 0 … " + (desktops.count() - 1) + ")");
        }
        this.files = store.deviceDirectory("linux", deviceId).resolve("files").toAbsolutePath();
        this.cgroups = cgroups;
        WorkerLimits limits = new WorkerLimits(desktops.limits().maxProcesses(), desktops.limits().maxOpenFiles());
        boolean ownUser = settings.enabled() && new WorkerExec(uid, files).switchesUser();
        // a group only where its commands run as its own uid: without the switch they are the agent's, unbounded alike
        this.cgroup = ownUser ? cgroups.create("host-device") : Optional.empty();
        this.network = network(identity, ownUser);
        // mounting needs root, as its uid of its own does: without one its holders are not told apart anyway
        this.disk = ownUser ? Optional.of(DesktopDisk.of("envgrid.device-agent.linux-host.max-disk", config.dataDir(),
                "host-device", Optional.of(files), List.of(), settings.maxDisk().asLongValue())) : Optional.empty();
        List<String> enter = new ArrayList<>(network.enterPrefix());
        disk.ifPresent(own -> enter.addAll(own.enterPrefix()));
        this.workers = new WorkerExec(uid, files, limits, cgroup, enter, disk.map(DesktopDisk::scratch));
        this.resets = new UidReset("the host device " + deviceId, gate,
                new DesktopProcesses(uid, workers, Optional::empty, cgroup), network, disk, workers, this::emptyFiles,
                new SharedTemp(workers, SharedTemp.SHARED), new DesktopIpc(workers));
    }

    /**
     * Its namespace by {@code linux-host.network} (unset: its own when it has a uid of its own, {@code ownUser}), after
     * removing the one a SIGKILLed former run left, whatever this run's setting.
     */
    private DesktopNetwork network(AgentIdentity identity, boolean ownUser) {
        DesktopNetwork own = DesktopNetwork.hostDevice(DesktopNetwork.prefixOf(identity.agentId()));
        return DesktopNetwork.chosen(own, settings.enabled() ? settings.network()
                : Optional.of(DeviceAgentConfig.DesktopNetworkMode.SHARED), ownUser, "linux-host.network",
                "without it the host device has no uid of its own");
    }

    void announce(@Observes StartupEvent start) {
        // at start, not at the first reset: without allocator registration no reset ever runs, and commands run
        // anyway; it also drops what a SIGKILLed former run left mounted for it
        resets.prepareInBackground();
        if (settings.enabled() && disk.isEmpty()) {
            LOG.warnf("*** the host device %s has NO DISK BOUND: the agent is not root and cannot mount its file "
                    + "system; its commands can fill the disk of %s (the agent's records) and /tmp ***", deviceId,
                    files);
        }
        if (!settings.enabled() || resetsBetweenLeases()) {
            return;
        }
        if (settings.leaseWithoutReset()) {
            LOG.warn("*** envgrid.device-agent.linux-host.lease-without-reset=true: the host device is leased WITHOUT a "
                    + "reset between leases (the agent is not root, so its holders share one uid): a holder's leftover "
                    + "processes can read and change the next holder's files ***");
        } else {
            LOG.warnf("the host device %s is not offered to the allocator: the agent is not root, so it cannot run it "
                    + "as a user of its own and reset it between leases (linux-host.lease-without-reset=true offers "
                    + "it anyway)", deviceId);
        }
    }

    /** The host's device id ({@code linux-host.device-id}, else the host name). */
    public String deviceId() {
        return deviceId;
    }

    /** Whether {@code id} names the host device (and not another device of this agent). */
    public boolean isHost(String id) {
        return settings.enabled() && deviceId.equals(id);
    }

    /** The host device's allocator resource id: {@code <agent id>:<device id>}. */
    public String resourceId() {
        return resourceId;
    }

    /** Whether an allocator resource id is the host device's: {@code <agent id>:<device id>}. */
    public boolean ownsResource(String id) {
        return settings.enabled() && resourceId.equals(id);
    }

    /** How the host device's commands are started: as its own uid, {@code HOME} its {@code files/} directory. */
    public WorkerExec workers() {
        return workers;
    }

    /** Whether it is registered {@code with reset}: the agent switches users, so it can end everything of its uid. */
    public boolean resetsBetweenLeases() {
        return settings.enabled() && workers.switchesUser();
    }

    /**
     * Whether it may be offered to the allocator now: it can be reset (or the operator allows leasing it without), and,
     * when reset between leases, a reset has succeeded since the agent started.
     */
    public boolean offerable() {
        return settings.enabled() && (resetsBetweenLeases() ? resets.cleanOnce() : settings.leaseWithoutReset());
    }

    /**
     * The gate's generation, read before a call's lease check: a reset that begins after it refuses the call.
     */
    public long generation() {
        return gate.generation();
    }

    /**
     * Runs a tool call on the host device under its gate, so that no call of an ended lease acts once its reset began:
     * refused ({@code 409 LEASE_NOT_LIVE}) when a reset began since {@code checkedAt} or runs now, and cut off (its
     * process killed by the reset, its answer the same refusal) when one begins while it runs.
     */
    public <T> T acting(long checkedAt, Supplier<T> call) {
        DesktopGate.Admission admission;
        try {
            admission = gate.admit("host device " + deviceId, checkedAt);
        } catch (DesktopException e) {
            throw refusal("is being prepared after the agent's start or reset between leases, or that failed");
        }
        try (admission) {
            T result = call.get();
            if (admission.fenced()) {
                throw refusal("was reset while this call ran");
            }
            return result;
        } catch (RuntimeException e) {
            if (admission.fenced()) {
                throw refusal("was reset while this call ran");
            }
            throw e;
        }
    }

    private ApiException refusal(String what) {
        return new ApiException(409, ErrorCode.LEASE_NOT_LIVE, "the host device " + deviceId + " " + what
                + ": the lease this call was checked under has ended", Map.of("device_id", deviceId));
    }

    /**
     * Resets the host device for its next holder: closes its gate (calls of the ended lease are interrupted and their
     * processes killed until they have left, {@value HostedDesktop#CALLS_LEAVE_SECONDS} s at most), ends every process
     * of its uid, makes its network namespace anew when it has its own (what still runs in the old one killed, whatever
     * its uid), makes {@code files/} empty again (the uid's, mode 0700: its file system mounted anew where it has
     * one, which also empties its {@code /tmp}), deletes the uid's files in the host's {@code /tmp},
     * {@code /dev/shm} and the other shared directories and its System V IPC objects, then opens the gate. A failure
     * leaves the gate closed: the device is down until a reset succeeds.
     */
    @Override
    public ResetOutcome reset() {
        return resets.reset();
    }

    /**
     * Agent shutdown: ends its processes, removes its network namespace (killing what still runs in it) and its
     * control group (the desktops' parent goes with the last).
     */
    @PreDestroy
    synchronized void stop() {
        if (cgroup.isEmpty() && network.name().isEmpty() && disk.isEmpty()) {
            return;
        }
        resets.stop();
        if (cgroup.isEmpty()) {
            return;
        }
        try {
            cgroup.get().remove();
        } catch (IOException e) {
            LOG.warnf("stopping the host device %s: cannot remove its control group: %s", deviceId, e.getMessage());
        }
        cgroups.removeIfUnused();
    }

    /**
     * Empties {@code files/} where it has no file system of its own (whose renewal emptied it); before the device's
     * record exists (first reset at start) there is nothing to empty.
     */
    private void emptyFiles() throws ResetFailure {
        if (disk.isPresent() || !Files.isDirectory(files.getParent())) {
            return;
        }
        try {
            LinkSafeTree.recreate(files);
            workers.handOver(files);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ResetFailure("cannot empty " + files, e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}

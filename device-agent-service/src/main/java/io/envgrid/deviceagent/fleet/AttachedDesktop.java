package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.exec.ExecUserNamespaces;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.osworld.DesktopGate;
import io.envgrid.deviceagent.osworld.ScreenRecorder;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.envgrid.deviceagent.registration.ResourceRegistrar;
import io.envgrid.deviceagent.x11.XDisplay;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The attached desktop (the display the agent is given, {@code desktop.display}/{@code DISPLAY}, served when it hosts
 * no desktops of its own) as a leased resource that is reset between leases like the host device (issue 11; before, a
 * holder's background programs and files lived on into the next lease, and its commands ran in the host's network).
 * Its workers' commands run as the exec user ({@code exec.user}, {@link WorkerExec}'s own bean), so its reset is the
 * host device's ({@link UidReset}) on that uid:
 * <ul>
 * <li>the gate of its routes closed, the calls of the ended lease interrupted and their processes killed;</li>
 * <li>every process of the exec uid killed (its leftover GUI programs on the display among them), then its network
 * namespace made anew ({@code desktop.network}, {@code private} by default when it is reset:
 * {@code envgrid-<hash>-attached}, only {@code lo}; what still runs in the old one killed, whatever its uid);</li>
 * <li>its file system made anew ({@code desktop.max-disk}, a hosted desktop's {@link DesktopDisk} at
 * {@code <data-dir>/.disk/attached-desktop}: what the exec user's commands see as {@code /tmp}, {@code /var/tmp},
 * {@code /run/lock}, {@code /dev/shm}, in a mount namespace of its own with the host's X socket directory read-only,
 * and the exec user's home when it is a directory of that uid's; a {@code nobody} has none: {@code /nonexistent}), so
 * the unmount drops what the former holder wrote there;</li>
 * <li>a running recording killed and its file deleted;</li>
 * <li>the uid's files in {@code /tmp}, {@code /var/tmp}, {@code /dev/shm}, {@code /run/lock} and its message queues
 * ({@link SharedTemp}), its System V IPC objects ({@link DesktopIpc}) deleted.</li>
 * </ul>
 * It is registered {@code with reset} (the allocator holds it {@code resetting} after each lease until
 * {@link DesktopResets} reports the reset) only where the agent can do all this: root, the user switch on, an exec uid
 * other than root's, registration with an allocator. Otherwise every holder runs as the agent's own uid, nothing tells
 * a former holder's processes and files from the agent's, and it is not offered at all unless
 * {@code desktop.lease-without-reset} says so (both warned at start).
 * <p>
 * The exec uid must be the attached desktop's alone: every process of it dies at each lease's end (not the user of a
 * real desktop session on the display, whose session would die with it; not a uid system services run as).
 */
@ApplicationScoped
public class AttachedDesktop implements ExecUserNamespaces, UidResource {

    private static final Logger LOG = Logger.getLogger(AttachedDesktop.class);

    private final String resourceId;
    private final WorkerExec workers;
    private final ScreenRecorder recorder;
    /** Served: a display, the desktop routes on, no hosted desktops. */
    private final boolean served;
    /** The size of its file system, for the start-up log. */
    private final io.quarkus.runtime.configuration.MemorySize maxDisk;
    /** Offered to the allocator: served (a display, no hosted desktops), {@code desktop.register}, an allocator. */
    private final boolean registers;
    /** Reset between leases: it registers, and its workers run as an exec uid of their own (root agent, switch on). */
    private final boolean resets;
    private final boolean leaseWithoutReset;
    private final DesktopGate gate = new DesktopGate();
    private final DesktopNetwork network;
    /**
     * The file system of the exec user's {@code /tmp} (and home, when it is a directory of the exec uid's), with their
     * mount namespace ({@code desktop.max-disk}); empty where it is not reset between leases: its commands then write
     * the host's {@code /tmp}, unbounded.
     */
    private final Optional<DesktopDisk> disk;
    private final UidReset resetSteps;

    /**
     * Its network namespace ({@code desktop.network=private}) and file system are made after the agent's start, on a
     * thread of their own ({@link UidReset#prepareInBackground}), which also removes what a SIGKILLed former run of the
     * agent left for them: until then its gate is closed (calls answer {@code 503}, "is being prepared"), and when
     * they cannot be made it stays closed until a reset makes them.
     *
     * @throws IllegalStateException for {@code desktop.network=outbound}, and for {@code private} on an agent that
     *             does not switch the workers to an exec uid other than root's
     */
    public AttachedDesktop(DeviceAgentConfig config, WorkerExec workers, AgentIdentity identity, XDisplay display,
            ResourceRegistrar registrar, ScreenRecorder recorder) {
        this.resourceId = identity.desktopResourceId();
        this.workers = workers;
        this.recorder = recorder;
        DeviceAgentConfig.Desktop settings = config.desktop();
        this.served = settings.enabled() && display.name().isPresent() && config.desktops().count() == 0;
        this.maxDisk = settings.maxDisk();
        this.registers = served && settings.register() && registrar.enabled();
        // root's uid would make "every process of the uid" every process of the host
        Optional<Long> uid = workers.uid().filter(own -> own != 0);
        this.resets = registers && uid.isPresent();
        this.leaseWithoutReset = settings.leaseWithoutReset();
        DesktopNetwork own = DesktopNetwork.attachedDesktop(DesktopNetwork.prefixOf(identity.agentId()));
        Optional<DeviceAgentConfig.DesktopNetworkMode> mode = settings.network().or(() -> Optional.of(resets
                ? DeviceAgentConfig.DesktopNetworkMode.PRIVATE : DeviceAgentConfig.DesktopNetworkMode.SHARED));
        this.network = DesktopNetwork.chosen(own, mode, uid.isPresent(), "desktop.network",
                "its workers' commands do not run as an exec uid of their own (not root, exec.switch-user=false or "
                        + "exec.user root)");
        // mounting needs root, as the reset does: an agent that does not reset it does not tell its holders apart
        this.disk = resets ? Optional.of(DesktopDisk.of("envgrid.device-agent.desktop.max-disk", config.dataDir(),
                "attached-desktop", ownHome(workers), shownFiles(settings), settings.maxDisk().asLongValue()))
                : Optional.empty();
        this.resetSteps = new UidReset("the attached desktop " + resourceId, gate,
                new DesktopProcesses(uid.orElse(-1L), workers, Optional::empty, Optional.empty()), network, disk,
                workers, this::emptyOwnFiles, new SharedTemp(workers, SharedTemp.SHARED), new DesktopIpc(workers));
    }

    void announce(@Observes StartupEvent start) {
        // also drops what a SIGKILLed former run left mounted for it
        resetSteps.prepareInBackground();
        if (resets) {
            LOG.infof("the attached desktop %s is reset between leases: at each lease's end every process of the exec "
                    + "user (uid %d) is killed and its file system (%s, %s) made anew; the exec user must be the "
                    + "attached desktop's alone", resourceId, workers.uid().orElseThrow(), disk.isPresent()
                            && ownHome(workers).isPresent() ? "its /tmp and home" : "its /tmp",
                    maxDisk.asLongValue() + " bytes");
            return;
        }
        if (served) {
            LOG.warnf("*** the attached desktop %s has NO DISK BOUND: it is not reset between leases (not root, the "
                    + "user switch off, or not registered with an allocator), so its workers' commands write the "
                    + "host's /tmp and their home unbounded ***", resourceId);
        }
        if (registers && leaseWithoutReset) {
            LOG.warnf("*** envgrid.device-agent.desktop.lease-without-reset=true: the attached desktop %s is leased "
                    + "WITHOUT a reset between leases (its workers do not run as an exec uid of their own: the agent is "
                    + "not root, or the user switch is off): a holder's leftover programs and files meet the next "
                    + "holder ***", resourceId);
        } else if (registers) {
            LOG.warnf("the attached desktop %s is not offered to the allocator: its workers do not run as an exec uid "
                    + "of their own (the agent is not root, or the user switch is off), so it cannot be reset between "
                    + "leases (desktop.lease-without-reset=true offers it anyway)", resourceId);
        }
    }

    /** The attached desktop's allocator resource id ({@code desktop.resource-id}, else {@code <agent id>:desktop}). */
    public String resourceId() {
        return resourceId;
    }

    /** Whether an allocator resource id is the attached desktop's and this agent resets it. */
    public boolean ownsResource(String id) {
        return resets && resourceId.equals(id);
    }

    /** Whether it is registered {@code with reset}: offered to an allocator, its workers on an exec uid of their own. */
    public boolean resetsBetweenLeases() {
        return resets;
    }

    /**
     * Whether it may be offered to the allocator now (given it registers at all): reset between leases and clean since
     * the agent started, or leased without a reset because {@code desktop.lease-without-reset} says so.
     */
    public boolean offerable() {
        return resets ? resetSteps.cleanOnce() : leaseWithoutReset;
    }

    /** The gate its routes' calls pass and its reset closes. */
    public DesktopGate gate() {
        return gate;
    }

    /** Its network namespace's words, then its disk's mount namespace's. */
    @Override
    public List<String> enterPrefix() {
        List<String> enter = new ArrayList<>(network.enterPrefix());
        disk.ifPresent(own -> enter.addAll(own.enterPrefix()));
        return enter;
    }

    @Override
    public Optional<io.envgrid.deviceagent.exec.WorkerExec.Scratch> scratch() {
        return disk.map(DesktopDisk::scratch);
    }

    /**
     * Resets it for its next holder (the steps in the class comment); a failure leaves its gate closed until a reset
     * succeeds.
     */
    @Override
    public ResetOutcome reset() {
        return resetSteps.reset();
    }

    /**
     * Agent shutdown: what it reset is ended too (its uid's processes), its network namespace removed and its file
     * system unmounted.
     */
    @PreDestroy
    synchronized void stop() {
        if (resets || network.name().isPresent()) {
            resetSteps.stop();
        }
    }

    /**
     * The recording, and, without a file system of its own (whose renewal emptied it), the exec user's home where it is
     * a directory of the exec uid's.
     */
    private void emptyOwnFiles() throws ResetFailure {
        try {
            recorder.abandon();
        } catch (UncheckedIOException e) {
            throw new ResetFailure("cannot delete the recording: " + e.getMessage(), e);
        }
        if (disk.isPresent()) {
            return;
        }
        Optional<Path> own;
        try {
            own = ownHome(workers);
        } catch (UncheckedIOException e) {
            throw new ResetFailure(e.getMessage(), e);
        }
        if (own.isEmpty()) {
            return; // not the uid's to write: nothing of its holders can be in it (the shared directories aside)
        }
        Path home = own.get();
        try (SecureDirectoryStream<Path> dir = LinkSafeTree.open(home)) {
            for (Path name : LinkSafeTree.names(dir)) {
                LinkSafeTree.delete(dir, name);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ResetFailure("cannot empty the exec user's home " + home + ": " + e.getMessage(), e);
        }
    }

    /**
     * What the agent points the exec user's commands at or runs them with, reached read-only where it is below a shared
     * temporary directory: the display's cookie file ({@link #cookieFile}) and every absolute path in
     * {@code desktop.open-command} (its program, a script, an assignment's value such as {@code HOME=/tmp/opener}).
     */
    private static List<Path> shownFiles(DeviceAgentConfig.Desktop settings) {
        List<Path> shown = new ArrayList<>(cookieFile(settings).stream().toList());
        for (String word : settings.openCommand()) {
            String value = word.matches("[A-Za-z_][A-Za-z0-9_]*=.*") ? word.substring(word.indexOf('=') + 1) : word;
            if (value.startsWith("/")) {
                shown.add(Path.of(value));
            }
        }
        return shown;
    }

    /**
     * The display's cookie file its X clients are pointed at: {@code desktop.xauthority}, else the agent's
     * {@code XAUTHORITY}, which the exec user's commands inherit ({@code exec/WorkerEnvironment}); empty when neither
     * names an absolute path (Xlib then reads the exec user's own {@code ~/.Xauthority}, in its home).
     */
    private static Optional<Path> cookieFile(DeviceAgentConfig.Desktop settings) {
        return settings.xauthority().or(() -> Optional.ofNullable(System.getenv("XAUTHORITY")))
                .filter(f -> f.startsWith("/")).map(Path::of);
    }

    /**
     * The exec user's home when it is a directory of the exec uid's (a {@code nobody} has none: {@code /nonexistent});
     * empty without a user switch.
     *
     * @throws UncheckedIOException when it cannot be looked at
     */
    private static Optional<Path> ownHome(WorkerExec workers) {
        if (workers.uid().isEmpty()) {
            return Optional.empty();
        }
        Path home = Path.of(workers.home()).toAbsolutePath().normalize();
        try {
            if (home.getParent() == null || !Files.isDirectory(home, LinkOption.NOFOLLOW_LINKS)
                    || ((Number) Files.getAttribute(home, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue()
                            != workers.uid().get()) {
                return Optional.empty();
            }
            return Optional.of(home);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look at the exec user's home " + home + ": " + e.getMessage(), e);
        }
    }
}

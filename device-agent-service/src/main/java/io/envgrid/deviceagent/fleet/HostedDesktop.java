package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.cgroup.DesktopCgroup;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.exec.WorkerLimits;
import io.envgrid.deviceagent.osworld.Desktop;
import io.envgrid.deviceagent.osworld.ShellWords;
import io.envgrid.deviceagent.x11.XDisplay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One desktop the agent hosts: its X server and window manager, its user's processes and home, and the OSWorld
 * services ({@link Desktop}) that act on it. {@link #reset()} brings it back to its template; while that runs, and
 * after it failed, the desktop's routes answer 503 ({@link #state()}).
 */
public final class HostedDesktop {

    private static final Logger LOG = Logger.getLogger(HostedDesktop.class);

    /** Whether the desktop can be acted on. */
    public enum State {
        /** Being reset (also before its first reset at start): not to be acted on. */
        RESETTING,
        /** Clean, or in use by the holder of its lease. */
        READY,
        /** Its last reset failed: not clean; the allocator has it down until a retry succeeds and registers it again. */
        FAILED
    }

    /** How long a reset waits for the calls of the ended lease to leave (interrupted, their processes killed). */
    static final int CALLS_LEAVE_SECONDS = 30;

    private final DesktopSpec spec;
    private final Desktop desktop;
    private final DisplayServer server;
    private final DesktopProcesses processes;
    private final DesktopHome home;
    private final DesktopIpc ipc;
    private final List<String> startup;
    private final WorkerExec workers;
    private final Optional<DesktopCgroup> cgroup;
    private final DesktopNetwork network;
    /** Its namespace's route out ({@code network=outbound}); empty: none (private: only {@code lo}; or shared). */
    private final Optional<DesktopRouteOut> routeOut;
    /** The file system of everything its worker writes ({@code desktops.limits.max-disk}); empty without a root agent. */
    private final Optional<DesktopDisk> disk;
    private volatile State state = State.RESETTING;
    private volatile boolean cleanOnce;
    /** Set by {@link #stop()}: a reset asked for afterwards (a retry racing the agent's shutdown) starts nothing. */
    private boolean stopped;

    /**
     * @param cgroup the desktop's control group, which every process of it joins; empty where the host has no usable
     *            memory controller (the agent then warned at start)
     * @param network the network namespace its window manager, start-up programs and worker commands run in (made
     *            anew at every reset)
     * @param routeOut the route out of that namespace, started anew after it at every reset ({@code outbound})
     * @param disk the size-bounded file system of its home, temporary directories and recording, mounted anew at every
     *            reset; its commands enter a mount namespace where it is their {@code /tmp} (empty: the host's disk,
     *            unbounded)
     */
    HostedDesktop(DesktopSpec spec, DeviceAgentConfig config, Optional<DesktopCgroup> cgroup, DesktopNetwork network,
            Optional<DesktopRouteOut> routeOut, Optional<DesktopDisk> disk) {
        this.spec = spec;
        this.cgroup = cgroup;
        this.network = network;
        this.routeOut = routeOut;
        this.disk = disk;
        DeviceAgentConfig.Desktops settings = config.desktops();
        WorkerLimits limits = new WorkerLimits(settings.limits().maxProcesses(), settings.limits().maxOpenFiles());
        List<String> enter = new java.util.ArrayList<>(network.enterPrefix());
        disk.ifPresent(d -> enter.addAll(d.enterPrefix()));
        enter.addAll(network.resolverPrefix()); // after the disk's mount namespace, whose setns would leave the binding
        this.workers = new WorkerExec(spec.uid(), spec.home(), limits, cgroup, enter,
                disk.map(DesktopDisk::scratch));
        String wm = settings.windowManager().strip();
        this.server = new DisplayServer(spec, settings.geometry(),
                wm.equals("none") ? List.of() : ShellWords.split(wm), workers, settings.startTimeout());
        this.desktop = Desktop.of(Integer.toString(spec.index()), spec.resourceId(),
                new XDisplay(server::display, spec.xauthority()), workers,
                disk.map(DesktopDisk::recording).orElse(spec.recording()), config);
        this.processes = new DesktopProcesses(spec.uid(), workers, server::lastDisplay, cgroup);
        this.ipc = new DesktopIpc(workers);
        this.home = new DesktopHome(spec, settings.template(), workers);
        this.startup = settings.startup().orElse(List.of());
    }

    public DesktopSpec spec() {
        return spec;
    }

    public Desktop desktop() {
        return desktop;
    }

    public State state() {
        return state;
    }

    /** The desktop's control group, where the host has a usable memory controller. */
    public Optional<DesktopCgroup> cgroup() {
        return cgroup;
    }

    /** Whether a reset of it has succeeded since the agent started: only then is it offered to the allocator. */
    public boolean cleanOnce() {
        return cleanOnce;
    }

    /**
     * Resets the desktop to its template: recording stopped and deleted, every process of its user killed, X server
     * and window manager restarted with a new cookie (which also empties the clipboard: selections live in the
     * clients that own them), its network namespace made anew (when it has its own; with a new route out for
     * {@code outbound}), home restored from the template, the user's files in the shared temporary directories, its
     * POSIX message queues and System V IPC objects deleted, then its start-up programs launched (not awaited). One
     * reset at a time per desktop.
     * <p>
     * Before it touches anything it closes the desktop's gate ({@link io.envgrid.deviceagent.osworld.DesktopGate}):
     * no call is admitted from then on, calls whose lease was checked before are refused, and the calls still running
     * (a long {@code /execute}, a pyautogui program sleeping) are interrupted and their user's processes killed until
     * they have all left ({@value #CALLS_LEAVE_SECONDS} s at most, else the reset fails and the desktop goes down).
     */
    public synchronized ResetOutcome reset() {
        desktop.gate().close(); // first: nothing of the ended lease may act once the reset has begun
        if (stopped) {
            return new ResetOutcome.Failed("the agent is stopping");
        }
        state = State.RESETTING;
        long started = System.nanoTime();
        try {
            awaitNoCalls();
            prepareRunDir();
            try {
                desktop.recorder().abandon();
            } catch (RuntimeException e) {
                throw new ResetFailure("cannot clear the recording", e);
            }
            server.stop();
            desktop.display().close();
            processes.killAll();
            routeOut.ifPresent(DesktopRouteOut::stop); // the old namespace's: its NAT dies with it
            network.renew(); // after the kill: nothing of the former worker holds the old namespace any more
            if (routeOut.isPresent()) {
                routeOut.get().start();
            }
            if (disk.isPresent()) {
                DisplayServer.ensureSocketDirectory(DisplayServer.SOCKETS); // the disk binds it: a new pod has none
                disk.get().renew(workers); // every process of the desktop is dead: what the former worker wrote goes
            }
            home.restore(disk.isPresent());
            home.clearSharedTemp();
            ipc.clear();
            server.start();
            launchStartup();
            desktop.gate().open();
            state = State.READY;
            cleanOnce = true;
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            LOG.debugf("desktop %s reset in %d ms", spec.resourceId(), took.toMillis());
            return new ResetOutcome.Done(took);
        } catch (ResetFailure e) {
            state = State.FAILED;
            LOG.warnf("reset of desktop %s failed: %s", spec.resourceId(), e.getMessage());
            return new ResetOutcome.Failed(e.getMessage());
        } catch (RuntimeException e) {
            state = State.FAILED;
            LOG.errorf(e, "reset of desktop %s failed", spec.resourceId());
            return new ResetOutcome.Failed("reset failed: " + e);
        }
    }

    /** Stops everything of the desktop (agent shutdown). */
    synchronized void stop() {
        stopped = true;
        desktop.gate().close();
        state = State.RESETTING;
        desktop.recorder().abandon();
        server.shutdown();
        desktop.display().close();
        try {
            processes.killAll();
        } catch (ResetFailure e) {
            LOG.warnf("stopping desktop %s: %s", spec.resourceId(), e.getMessage());
        }
        routeOut.ifPresent(DesktopRouteOut::stop);
        network.remove();
        disk.ifPresent(DesktopDisk::remove);
        try {
            if (cgroup.isPresent()) {
                cgroup.get().remove();
            }
        } catch (java.io.IOException e) {
            LOG.warnf("stopping desktop %s: cannot remove its control group: %s", spec.resourceId(), e);
        }
    }

    /**
     * Waits until the calls admitted before the reset have left, ending what keeps them: their processes (every process
     * of the desktop's user, once per round) and, through the gate, their threads' waits.
     */
    private void awaitNoCalls() throws ResetFailure {
        boolean left;
        try {
            left = desktop.gate().awaitNoCalls(Duration.ofSeconds(CALLS_LEAVE_SECONDS), processes::killOnce);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResetFailure("interrupted while the calls of the ended lease were stopped", e);
        }
        if (!left) {
            throw new ResetFailure("calls of the ended lease still ran " + CALLS_LEAVE_SECONDS
                    + " s after they were interrupted and their processes killed");
        }
    }

    private void prepareRunDir() throws ResetFailure {
        try {
            if (workers.switchesUser()) {
                requireTraversable(spec.home().getParent());
            }
            Files.createDirectories(spec.runDir());
            // the agent's: the desktop's user reads only its cookie, by name (0711 lets it through, not list)
            Files.setPosixFilePermissions(spec.runDir(), PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new ResetFailure("cannot make " + spec.runDir(), e);
        }
    }

    /**
     * The desktop's user must be able to pass through every directory above its home; a home root under a 0700
     * directory (a private temporary directory, root's home) would fail every reset later with less clear errors.
     */
    private static void requireTraversable(java.nio.file.Path homeRoot) throws IOException, ResetFailure {
        Files.createDirectories(homeRoot);
        for (java.nio.file.Path dir = homeRoot.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (!Files.getPosixFilePermissions(dir).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                throw new ResetFailure(dir + " is not traversable by other users (no o+x): the desktops' users cannot "
                        + "reach their homes under " + homeRoot + "; choose another envgrid.device-agent.desktops.home-root");
            }
        }
    }

    private void launchStartup() throws ResetFailure {
        Map<String, String> environment = workers.environment(desktop.display().environment());
        for (String line : startup) {
            List<String> command;
            try {
                command = ShellWords.split(line);
                ProcessBuilder builder = new ProcessBuilder(workers.command(command)).directory(spec.home().toFile())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                builder.environment().clear();
                builder.environment().putAll(environment);
                builder.start();
            } catch (IOException | java.io.UncheckedIOException | IllegalArgumentException e) {
                throw new ResetFailure("cannot launch the start-up program '" + line + "'", e);
            }
        }
    }
}

package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.osworld.DesktopGate;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The reset between leases of a worker uid the agent does not run a display for: the host device ({@link HostDevice})
 * and the attached desktop ({@link AttachedDesktop}). One sequence for both, the steps of a hosted desktop's reset
 * that apply to them, in the same order:
 * <ol>
 * <li>the gate closed: no call is admitted, the calls of the ended lease are interrupted and the uid's processes
 * killed until they have left ({@value HostedDesktop#CALLS_LEAVE_SECONDS} s at most);</li>
 * <li>every process of the uid killed ({@link DesktopProcesses}), then its network namespace made anew when it has one
 * of its own ({@link DesktopNetwork}: what still runs in the old one killed, whatever its uid);</li>
 * <li>its file system made anew when it has one of its own ({@link DesktopDisk}: the unmount drops everything it
 * wrote in its home or {@code files/} and its {@code /tmp}, {@code /var/tmp}, {@code /run/lock}, {@code /dev/shm}),
 * with a new mount namespace;</li>
 * <li>its own files emptied (the caller's step: the attached desktop's recording; without a disk of its own the host
 * device's {@code files/} and the exec user's home);</li>
 * <li>its files in the shared temporary directories ({@link SharedTemp}) and its System V IPC objects
 * ({@link DesktopIpc}) deleted;</li>
 * <li>the gate opened.</li>
 * </ol>
 * A step that fails leaves the gate closed (its calls refused) and the outcome {@link ResetOutcome.Failed} with the
 * step's reason, which the allocator keeps as {@code down_reason}.
 * <p>
 * What its calls run in (the network namespace, the file system) is made after the agent's start, off its start-up
 * path ({@link #prepareInBackground}); until then the gate is closed ({@code 503} "is being prepared"), so no call enters
 * a namespace that is not there yet. The preparation, the resets and the stop run one at a time (this object's lock): a
 * reset that comes first makes them itself and the preparation then does nothing, and a stop that comes first leaves it
 * nothing to make.
 */
final class UidReset {

    private static final Logger LOG = Logger.getLogger(UidReset.class);
    /** The gate's words while the preparation runs. */
    static final String PREPARING = "is being prepared (its network namespace and disk are made after the agent's start)";
    /** The gate's words after the preparation failed, until a reset succeeds. */
    static final String NOT_PREPARED = "could not be prepared: it is refused until a reset makes its network namespace "
            + "and disk";

    /** The owner's own files, emptied after the kill (step 3). */
    @FunctionalInterface
    interface OwnFiles {
        void empty() throws ResetFailure;
    }

    /** What is reset, for the log: {@code the host device <id>}, {@code the attached desktop <resource id>}. */
    private final String what;
    private final DesktopGate gate;
    private final DesktopProcesses processes;
    private final DesktopNetwork network;
    /** Its bounded file system and mount namespace; empty: its commands write the host's disk. */
    private final Optional<DesktopDisk> disk;
    private final WorkerExec workers;
    private final OwnFiles ownFiles;
    private final SharedTemp shared;
    private final DesktopIpc ipc;
    /** Whether a reset has succeeded since the agent started: until then the owner is not offered. */
    private volatile boolean cleanOnce;
    /**
     * Set by {@link #stop}: a reset the agent's reset loop starts after it (at shutdown its thread ends after the
     * owners' stop) makes nothing, else its mounts outlived the agent.
     */
    private boolean stopped;
    /** Set by the first reset: it makes what {@link #prepare} would (or fails and keeps the gate closed). */
    private boolean resetBegun;
    /** Whether there is anything to prepare: a network namespace or a file system of its own. */
    private final boolean ownPlaces;

    /**
     * @param disk its file system, renewed at every reset (its home bound there handed over to {@code workers}' user)
     * @param workers how its commands are started
     */
    UidReset(String what, DesktopGate gate, DesktopProcesses processes, DesktopNetwork network,
            Optional<DesktopDisk> disk, WorkerExec workers, OwnFiles ownFiles, SharedTemp shared, DesktopIpc ipc) {
        this.what = what;
        this.gate = gate;
        this.processes = processes;
        this.network = network;
        this.disk = disk;
        this.workers = workers;
        this.ownFiles = ownFiles;
        this.shared = shared;
        this.ipc = ipc;
        this.ownPlaces = network.name().isPresent() || disk.isPresent();
        if (ownPlaces) {
            gate.close(PREPARING); // until prepare() has made them: a call now would enter what is not there yet
        }
    }

    /** Runs the steps above; the outcome with the time it took, or the failing step's reason. */
    synchronized ResetOutcome reset() {
        if (stopped) {
            return new ResetOutcome.Failed(what + " is stopped: the agent is shutting down");
        }
        resetBegun = true;
        gate.close();
        long started = System.nanoTime();
        try {
            awaitNoCalls();
            processes.killAll();
            network.renew(); // after the kill: nothing of the former holder holds the old namespace any more
            renewDisk(); // after the kill too: what the former holder wrote goes with the old file system
            ownFiles.empty();
            shared.clear();
            ipc.clear();
            gate.open();
            cleanOnce = true;
            return new ResetOutcome.Done(Duration.ofNanos(System.nanoTime() - started));
        } catch (ResetFailure e) {
            LOG.warnf("reset of %s failed: %s", what, e.getMessage());
            return new ResetOutcome.Failed(e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "reset of %s failed", what);
            return new ResetOutcome.Failed("reset failed: " + e);
        }
    }

    /**
     * Runs {@link #prepare} on a thread of its own, so that the agent's start does not wait for its subprocesses (about
     * 0.3 s); nothing when it has neither a network namespace nor a file system of its own (its gate is open then).
     */
    void prepareInBackground() {
        if (!ownPlaces) {
            return;
        }
        Thread preparing = new Thread(this::prepare, "uid-prepare");
        preparing.setDaemon(true); // a shutdown does not wait for it: stop() takes the lock after it
        preparing.start();
    }

    /**
     * Makes the network namespace and the file system with its mount namespace (commands run also where no allocator
     * ever resets: without them they would fail to enter a namespace that is not there), dropping first what a
     * SIGKILLed former agent left mounted for them, then opens the gate. Nothing once a reset has begun (it made them
     * anew, or failed and keeps the gate closed) or the stop has run. When they cannot be made the gate stays closed,
     * so calls are refused until a reset makes them.
     */
    synchronized void prepare() {
        if (stopped || resetBegun) {
            return;
        }
        try {
            network.renew();
            renewDisk();
            gate.open();
        } catch (ResetFailure e) {
            LOG.warnf("preparing %s: %s", what, e.getMessage());
            gate.reword(NOT_PREPARED);
        } catch (RuntimeException e) {
            LOG.errorf(e, "preparing %s failed", what);
            gate.reword(NOT_PREPARED);
        }
    }

    private void renewDisk() throws ResetFailure {
        if (disk.isPresent()) {
            disk.get().renew(workers);
        }
    }

    /** Whether a reset has come out clean since the agent started (a former run's holder may have left anything). */
    boolean cleanOnce() {
        return cleanOnce;
    }

    /**
     * Agent shutdown: closes the gate, ends the uid's processes, removes the network namespace and unmounts the file
     * system with its mount namespace.
     */
    synchronized void stop() {
        stopped = true;
        gate.close();
        try {
            processes.killAll();
        } catch (ResetFailure e) {
            LOG.warnf("stopping %s: %s", what, e.getMessage());
        }
        network.remove();
        disk.ifPresent(own -> {
            own.remove();
            DesktopDisk.removeSharedIfUnused(own.disks());
        });
    }

    private void awaitNoCalls() throws ResetFailure {
        try {
            if (!gate.awaitNoCalls(Duration.ofSeconds(HostedDesktop.CALLS_LEAVE_SECONDS), processes::killOnce)) {
                throw new ResetFailure("calls of the ended lease still ran " + HostedDesktop.CALLS_LEAVE_SECONDS
                        + " s after they were interrupted and their processes killed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResetFailure("interrupted while the calls of the ended lease were stopped", e);
        }
    }
}

package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.error.ErrorCode;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The fence between one desktop's calls and its reset. A call acts only while admitted ({@link #admit}), and is
 * admitted only if no reset has begun since its lease was checked: it reads {@link #generation()} before the check
 * and is refused if that changed. A reset {@link #close() closes} the gate before it touches anything (no admission
 * from then on), interrupts the calls still admitted, and {@link #awaitNoCalls waits} until they have left, so no
 * call of an ended lease acts on the desktop once its reset has begun to make it ready for the next holder.
 * <p>
 * Not a read-write lock: a call's admission is held across blocking work (a command that runs for a minute), and the
 * reset has to reach those calls (interrupt them, kill their processes) rather than wait behind them.
 */
public final class DesktopGate {

    private long generation;
    /** Why no call is admitted ({@code "is being reset"}, {@code "is being prepared"}: the 503's words); null: open. */
    private String closedBecause;
    /** The threads of the admitted calls (each call runs on one worker thread, admitted to its end). */
    private final Set<Thread> admitted = new HashSet<>();

    /** How many resets have begun; a call reads it before its lease check and is admitted only at the same value. */
    public synchronized long generation() {
        return generation;
    }

    /**
     * Admits the calling thread's call, checked at {@code generation} (read before its lease check).
     *
     * @throws DesktopException {@code 409 LEASE_NOT_LIVE} when a reset began since, {@code 503 DESKTOP_UNAVAILABLE}
     *         while one runs (or the desktop is being prepared, {@link #close(String)})
     */
    public synchronized Admission admit(String desktop, long checkedAt) {
        if (generation != checkedAt) {
            throw new DesktopException(409, ErrorCode.LEASE_NOT_LIVE, "desktop " + desktop
                    + " was reset after this call's lease was checked: that lease has ended");
        }
        if (closedBecause != null) {
            throw new DesktopException(503, ErrorCode.DESKTOP_UNAVAILABLE, "desktop " + desktop + " " + closedBecause);
        }
        Thread caller = Thread.currentThread();
        if (!admitted.add(caller)) {
            throw new IllegalStateException("a call on " + caller + " is already admitted to desktop " + desktop);
        }
        return new Admission(desktop, caller, checkedAt);
    }

    /**
     * Begins a reset: a new generation (every call whose lease was checked before is refused from now on), no
     * admission until {@link #open()}, and the calls still admitted interrupted (a sleep of a pyautogui program, a wait
     * on a command).
     */
    public synchronized void close() {
        close("is being reset");
    }

    /**
     * {@link #close()} with the words a refused call is told why: {@code "is being prepared"} while what its calls run
     * in is made after the agent's start.
     */
    public synchronized void close(String because) {
        generation++;
        closedBecause = because;
        admitted.forEach(Thread::interrupt);
    }

    /**
     * Keeps the gate closed with other words ({@code because}), in the same generation: a call checked while it was
     * closed is told 503 with these words, not 409 as after a reset (nothing was reset: what it would run in is still
     * missing). Nothing when the gate is open.
     */
    public synchronized void reword(String because) {
        if (closedBecause != null) {
            closedBecause = because;
        }
    }

    /**
     * Waits until no call is admitted any more, running {@code nudge} (which ends the desktop user's processes) and
     * interrupting the admitted calls again between waits: a call admitted just before {@link #close()} may have
     * started a process or a sleep after the first round.
     *
     * @return whether none is left within {@code limit}
     */
    public boolean awaitNoCalls(Duration limit, Runnable nudge) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            synchronized (this) {
                if (admitted.isEmpty()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                admitted.forEach(Thread::interrupt);
                wait(Math.max(1, Math.min(Duration.ofNanos(left).toMillis(), 100)));
                if (admitted.isEmpty()) {
                    return true;
                }
            }
            nudge.run(); // outside the monitor: it runs processes, and leaving calls need the monitor
        }
    }

    /** Ends a reset: calls checked at the new generation may be admitted. */
    public synchronized void open() {
        closedBecause = null;
    }

    private synchronized void leave(Admission admission) {
        admitted.remove(admission.thread);
        notifyAll();
    }

    /**
     * One admitted call; {@link #close()} it on the thread that was admitted, when the call has finished acting.
     */
    public final class Admission implements AutoCloseable {

        private final String desktop;
        private final Thread thread;
        private final long checkedAt;
        /** Set when the call's lease was found over while it ran ({@link #revoke}): its answer. */
        private DesktopException revoked;

        private Admission(String desktop, Thread thread, long checkedAt) {
            this.desktop = desktop;
            this.thread = thread;
            this.checkedAt = checkedAt;
        }

        /**
         * Whether a reset has begun since this call was checked, or its lease was found over while it ran: what it did
         * is cut off, its answer is a refusal.
         */
        public boolean fenced() {
            synchronized (DesktopGate.this) {
                return generation != checkedAt || revoked != null;
            }
        }

        /** The refusal a call fenced while it ran answers with. */
        public DesktopException refusal() {
            synchronized (DesktopGate.this) {
                if (generation == checkedAt && revoked != null) {
                    return revoked;
                }
            }
            return new DesktopException(409, ErrorCode.LEASE_NOT_LIVE, "desktop " + desktop
                    + " was reset while this call ran: the lease it was admitted under has ended");
        }

        /**
         * Cuts the call off because its lease is over (or could not be confirmed for too long): it is interrupted
         * (a wait on a command kills the command's process tree, a pyautogui program stops at its next step) and will
         * answer {@code refusal}. Nothing once the call has left the gate: its thread serves other calls by then.
         */
        public void revoke(DesktopException refusal) {
            synchronized (DesktopGate.this) {
                if (revoked == null && admitted.contains(thread)) {
                    revoked = refusal;
                    thread.interrupt();
                }
            }
        }

        /**
         * Leaves the gate. An interrupt the reset sent while this call was admitted is cleared here (after leaving,
         * so none can arrive later): the worker thread goes on to serve other calls.
         */
        @Override
        public void close() {
            leave(this);
            Thread.interrupted();
        }
    }
}

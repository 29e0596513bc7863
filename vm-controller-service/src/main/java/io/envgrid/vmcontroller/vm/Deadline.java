package io.envgrid.vmcontroller.vm;

import java.time.Duration;

/**
 * A moment after which no call to a desktop is started, and by which a running one is given up: one per
 * {@code task/evaluate} call, shared by its postconfig steps and its getters (see
 * {@link OsWorldClient#within(Deadline)}). {@link #NONE} never passes. Immutable; measured with
 * {@link System#nanoTime()}, so the wall clock's jumps do not move it.
 */
public final class Deadline {

    /** No deadline: calls keep their own timeouts. */
    public static final Deadline NONE = new Deadline(null, 0);

    private final Duration length;
    private final long end;

    private Deadline(Duration length, long end) {
        this.length = length;
        this.end = end;
    }

    /** A deadline {@code length} (positive) from now. */
    public static Deadline in(Duration length) {
        return new Deadline(length, System.nanoTime() + length.toNanos());
    }

    /** Whether the deadline has passed ({@link #NONE}: never). */
    public boolean passed() {
        return length != null && end - System.nanoTime() <= 0;
    }

    /**
     * The shorter of {@code timeout} and the time left before the deadline: what a call started now may wait; zero
     * or negative once the deadline has passed.
     */
    public Duration cap(Duration timeout) {
        if (length == null) {
            return timeout;
        }
        Duration left = Duration.ofNanos(end - System.nanoTime());
        return left.compareTo(timeout) < 0 ? left : timeout;
    }

    /** How long the deadline was set for, as the reports name it; {@code null} for {@link #NONE}. */
    public Duration length() {
        return length;
    }

    /** Why a call or a check was given up, for the evaluation's report. */
    public String reason() {
        return "the evaluation's deadline of " + length.toMillis() + " ms passed "
                + "(envgrid.vm-controller.evaluation.deadline): no further desktop call is started";
    }
}

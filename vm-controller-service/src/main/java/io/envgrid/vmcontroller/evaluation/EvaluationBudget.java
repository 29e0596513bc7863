package io.envgrid.vmcontroller.evaluation;

/**
 * The work one evaluation may do, counted in steps: one instance per {@code evaluate} call, shared by every metric
 * of it and every rule, element, comparison and regular-expression search they run. A step is one node an XPath axis
 * yields (see {@link StepCountingNavigator}), or {@link #CHARS_PER_STEP} characters of string work (among them every
 * character a getter read from the desktop), or {@link ChargedRegex#READS_PER_STEP} reads of a regular-expression
 * search, or a fixed charge ({@link #STEPS_PER_METRIC}, {@link AccessibilityRules#STEPS_PER_RULE}). Work is charged
 * before it is done (a getter's read, whose size is known only once read, right after), so past
 * {@link #MAX_STEPS} the evaluation throws {@link OutOfSteps} on the calling thread and the work is never started:
 * no timer, no thread, and the same input stops at the same step on any machine. Per evaluation, not per metric:
 * a list of checks that each take most of a budget (or one expensive check repeated) would otherwise cost the list's
 * length times the budget. Not thread-safe; an evaluation runs on one thread.
 */
final class EvaluationBudget {

    /**
     * The steps one evaluation may take. OSWorld's checks take a few thousand on real desktops (one {@code //} over a
     * GNOME tree's few thousand elements, a fuzzy ratio of two short texts); five million take under a second on one
     * core.
     */
    static final long MAX_STEPS = 5_000_000;

    /**
     * Characters of string work charged as one step. A step (an iterator's next node through the DOM) costs on the
     * order of a hundred nanoseconds, a character compared or copied about one, and a fuzzy-ratio cell about two
     * (review8: 8e9 cells in 14.8 s), so sixteen characters are charged as a step: string work is over-counted, never
     * under-counted, and the whole budget still holds 80 million characters, far more than OSWorld's checks handle.
     */
    static final long CHARS_PER_STEP = 16;

    /**
     * The steps each metric is charged before its getters run, whatever it then does: dispatching it costs
     * microseconds even when its comparison is trivial. The values a check reads from the desktop are charged by
     * their length on top, and so are the passes of the metrics over them that are not one linear read (substring
     * searches by their worst case, {@code compare_text_file}'s normalisation per pass, regular expressions per read):
     * the budget holds 80 million characters, so one evaluation can read and compare a file at the controller's
     * 64 MiB limit, not dozens of them. Equality is not charged apart: it is one pass over what the getter charged.
     */
    static final long STEPS_PER_METRIC = 1_000;

    private final long maxSteps;
    private long steps;
    /** Characters charged but not yet a whole step. */
    private long chars;

    EvaluationBudget() {
        this(MAX_STEPS);
    }

    /** A budget of another size; the tests use it to show what an unbounded evaluation costs. */
    EvaluationBudget(long maxSteps) {
        this.maxSteps = maxSteps;
    }

    /** The steps charged so far (at most {@code MAX_STEPS + 1}: a charge past the budget saturates there). */
    long steps() {
        return steps;
    }

    /** True once a charge went past the budget: nothing more of this evaluation is run. */
    boolean exhausted() {
        return steps > maxSteps;
    }

    /** Charges one step; throws past the budget. */
    void step() {
        if (++steps > maxSteps) {
            steps = maxSteps + 1; // stays exhausted, never wraps
            throw new OutOfSteps(maxSteps);
        }
    }

    /** Charges {@code count} (non-negative) steps; throws past the budget, before the work they pay for is done. */
    void charge(long count) {
        steps = count > maxSteps - steps ? maxSteps + 1 : steps + count; // saturates: count may be Long.MAX_VALUE
        if (steps > maxSteps) {
            throw new OutOfSteps(maxSteps);
        }
    }

    /** Charges {@code count} (non-negative) characters of string work, a step per {@link #CHARS_PER_STEP}. */
    void chargeChars(long count) {
        long total = count > Long.MAX_VALUE - chars ? Long.MAX_VALUE : chars + count;
        chars = total % CHARS_PER_STEP;
        charge(total / CHARS_PER_STEP);
    }

    /** Why a check was not (or no longer) evaluated: the budget, as {@code metrics[].reason} reports it. */
    String reason() {
        return OutOfSteps.message(maxSteps);
    }

    /** The budget ran out; no stack trace, it is an expected outcome that ends the evaluation's work. */
    static final class OutOfSteps extends RuntimeException {
        OutOfSteps(long maxSteps) {
            super(message(maxSteps), null, false, false);
        }

        private static String message(long maxSteps) {
            return "the evaluation's work budget is spent: its checks took more than " + maxSteps + " steps (tree "
                    + "steps, " + CHARS_PER_STEP + " characters read from the desktop or of string work a step, "
                    + ChargedRegex.READS_PER_STEP + " reads of a regular expression a step, metrics, rules and "
                    + "selected elements)";
        }
    }
}

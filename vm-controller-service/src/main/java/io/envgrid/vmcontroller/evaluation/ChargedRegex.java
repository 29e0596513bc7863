package io.envgrid.vmcontroller.evaluation;

import java.util.regex.Pattern;

/**
 * Regular-expression searches charged to the evaluation's {@link EvaluationBudget}. Java's engine backtracks, so a
 * tenant's pattern such as {@code (.*a){12}$} can run for minutes on a short line, and a cheap pattern repeated over
 * many checks adds up; the engine reads its input only through {@link CharSequence#charAt}, so the text is handed to
 * it wrapped in a sequence that charges every read before it is made ({@link #READS_PER_STEP} reads a step), the same
 * deterministic counting as {@link StepCountingNavigator}'s. Past the budget the search throws
 * {@link EvaluationBudget.OutOfSteps} on the calling thread: no timer, and the same pattern and text stop at the same
 * read on any machine. One instance per metric; the budget behind it is the whole evaluation's. Not thread-safe.
 */
final class ChargedRegex {

    /** The longest pattern accepted (characters); a longer one is refused when the rules are checked. */
    static final int MAX_PATTERN_CHARS = 1_000;

    /**
     * Reads of the text charged as one step. Measured on this machine's JDK 17: a read costs about 1 ns in a plain
     * scan and up to 35-45 ns deep in backtracking (its nodes recurse), against the step's hundred or so; four reads
     * a step keep the budget's five million steps under a second of matching in the worst case measured, and still
     * let one pattern scan 20 million characters, far more than OSWorld's files.
     */
    static final int READS_PER_STEP = 4;

    private final EvaluationBudget budget;
    /** Reads already paid for by the last step charged. */
    private int paid;

    ChargedRegex(EvaluationBudget budget) {
        this.budget = budget;
    }

    /**
     * Compiles a checked pattern (see {@link Metrics#regex(String, int)}), charging its characters: a list of long
     * patterns is compiled once per check that uses it.
     */
    Pattern compile(String python, int flags) {
        budget.chargeChars(python.length());
        return Metrics.regex(python, flags);
    }

    /**
     * Whether {@code pattern} finds a match in {@code text}. Each search is charged a step before it starts (a
     * matcher costs that even on an empty line) and then every read; throws {@link EvaluationBudget.OutOfSteps}
     * past the budget, or {@link Unscorable} when the engine's recursion outgrows the thread's stack (a pattern
     * such as {@code (a|b)*z} over a long enough line: Java's engine recurses per repetition).
     */
    boolean find(Pattern pattern, String text) {
        budget.charge(1);
        try {
            return pattern.matcher(new Charged(text)).find();
        } catch (StackOverflowError e) {
            // the matcher's frames are gone once this is caught; the text is the desktop's, so the check fails
            throw new Unscorable("the regular expression /" + pattern.pattern() + "/ recursed too deeply on a text "
                    + "of " + text.length() + " characters (Java's engine recurses once per repetition)");
        }
    }

    private void read() {
        if (paid == 0) {
            budget.charge(1);
            paid = READS_PER_STEP;
        }
        paid--;
    }

    /** The text as the matcher sees it; every read is charged first. */
    private final class Charged implements CharSequence {

        private final String text;

        Charged(String text) {
            this.text = text;
        }

        @Override
        public char charAt(int index) {
            read();
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            budget.chargeChars(end - start); // a copy of that many characters
            return new Charged(text.substring(start, end));
        }

        @Override
        public String toString() {
            return text;
        }
    }
}

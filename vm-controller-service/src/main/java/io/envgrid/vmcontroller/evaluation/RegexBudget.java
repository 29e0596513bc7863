package io.envgrid.vmcontroller.evaluation;

import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.error.ErrorCode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The time one metric's regular expressions may take. Java's engine backtracks, so a tenant's pattern such as
 * {@code (.*a){12}$} can run for minutes on a short line; the engine reads its input only through
 * {@link CharSequence#charAt}, so the input is wrapped in a sequence that checks the deadline there and stops the
 * match. Running out is {@code 422 EVALUATION_FAILED} ("regex took too long"), never a busy core.
 */
final class RegexBudget {

    /** The time all regular-expression searches of one metric may take together. */
    static final Duration PER_METRIC = Duration.ofSeconds(1);

    /** The longest pattern accepted (characters); a longer one is refused when the rules are checked. */
    static final int MAX_PATTERN_CHARS = 1_000;

    /** The longest text a regular-expression metric searches (characters, the whole result). */
    static final int MAX_INPUT_CHARS = 1_000_000;

    private final long deadline;

    private RegexBudget(long deadline) {
        this.deadline = deadline;
    }

    /** A budget of {@link #PER_METRIC} starting now. */
    static RegexBudget start() {
        return new RegexBudget(System.nanoTime() + PER_METRIC.toNanos());
    }

    /** Whether {@code pattern} finds a match in {@code text} within the budget; throws 422 when the time is up. */
    boolean find(Pattern pattern, String text) {
        try {
            return pattern.matcher(new Timed(text)).find();
        } catch (OutOfTime e) {
            throw new ApiException(422, ErrorCode.EVALUATION_FAILED, "regex took too long: a metric's regular "
                    + "expressions may search for " + PER_METRIC.toMillis() + " ms; simplify /" + pattern.pattern()
                    + "/", Map.of("pattern", pattern.pattern(), "limit_ms", PER_METRIC.toMillis()));
        }
    }

    /** Refuses a result too long to search (422: the desktop's answer, not the task, is out of bounds). */
    static void checkInput(String metric, String text) {
        if (text.length() > MAX_INPUT_CHARS) {
            throw new ApiException(422, ErrorCode.EVALUATION_FAILED, metric + " searches results of up to "
                    + MAX_INPUT_CHARS + " characters; the result has " + text.length(),
                    Map.of("limit_chars", MAX_INPUT_CHARS));
        }
    }

    /** The input as the matcher sees it; every read checks the clock (System.nanoTime is cheap next to backtracking). */
    private final class Timed implements CharSequence {

        private final String text;

        Timed(String text) {
            this.text = text;
        }

        @Override
        public char charAt(int index) {
            if (System.nanoTime() - deadline > 0) {
                throw new OutOfTime();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Timed(text.substring(start, end));
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Unwinds the matcher when the deadline passes; no stack trace, it is thrown on a hot path. */
    private static final class OutOfTime extends RuntimeException {
        OutOfTime() {
            super("regex deadline passed", null, false, false);
        }
    }
}

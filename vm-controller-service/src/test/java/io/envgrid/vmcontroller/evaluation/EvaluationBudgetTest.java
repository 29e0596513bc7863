package io.envgrid.vmcontroller.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.envgrid.vmcontroller.vm.Deadline;
import io.envgrid.vmcontroller.vm.VmAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The work budget is the evaluation's, not each metric's: every metric of one {@code evaluate} call, every rule and
 * element they run, shares it, so a list of expensive checks costs one budget, not one per check. The desktop's text
 * is data: a fuzzy comparison of any length is charged to that budget and scores, or stops with a reason, never
 * {@code 422}.
 */
class EvaluationBudgetTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** No getter here reads the desktop (results are {@code rule} getters): asking for it fails the test. */
    private static final Supplier<VmAddress> NO_DESKTOP = () -> {
        throw new AssertionError("the desktop was asked for");
    };

    private static final Evaluator EVALUATOR = new Evaluator(null, null, Duration.ofMinutes(2));

    /** One element of 6 000 characters: a fuzzy rule against 8 000 fills 4.8e7 cells, 60% of the budget. */
    private static final String TREE = "<r><a>" + "x".repeat(6_000) + "</a></r>";

    private static JsonNode fuzzyRule(int chars) {
        var rules = JSON.createArrayNode();
        rules.addObject().put("xpath", "//a").put("text", "x".repeat(chars)).put("exact", false);
        return rules;
    }

    /** A check whose result is {@code text} as given (a {@code rule} getter, so nothing is read from a desktop). */
    private static EvaluatorSpec.Check check(Metric metric, String text, JsonNode rules) {
        return new EvaluatorSpec.Check(metric, new Getter.Rule("rule", TextNode.valueOf(text)),
                new Getter.Rule("rule", rules), JSON.createObjectNode());
    }

    private static EvaluatorSpec spec(List<EvaluatorSpec.Check> checks) {
        return new EvaluatorSpec(List.of(), checks, true, false);
    }

    @Test
    void metricsPastTheEvaluationsBudgetScoreZeroWithTheReason() {
        int k = 5;
        List<EvaluatorSpec.Check> checks = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            checks.add(check(Metric.CHECK_ACCESSIBILITY_TREE, TREE, fuzzyRule(8_000)));
        }
        EvaluationBudget budget = new EvaluationBudget();
        EvaluationReport report = EVALUATOR.evaluate(NO_DESKTOP, spec(checks), false, budget, Deadline.NONE);
        // the work charged stops at one budget, not k × 60% of one: the second check's table was charged, not filled
        assertTrue(budget.exhausted());
        assertEquals(EvaluationBudget.MAX_STEPS + 1, budget.steps());
        // the first check fits in the budget and scores as OSWorld's: 2·6 000 / 14 000
        assertEquals(2.0 * 6_000 / 14_000, report.metrics().get(0).score(), 1e-9);
        assertNull(report.metrics().get(0).reason());
        // the second would take the evaluation past one budget: it stops, and so does every later one
        for (int i = 1; i < k; i++) {
            EvaluationReport.MetricScore later = report.metrics().get(i);
            assertEquals(0.0, later.score(), "check " + i);
            assertNotNull(later.reason(), "check " + i);
            assertTrue(later.reason().contains("budget"), later.reason());
        }
        assertEquals(0.0, report.score());
    }

    @Test
    void eachCheckIsChargedItsWorkOnceAndTheSameCheckRepeatedStopsAtOneBudget() {
        // one check alone: its table (4.8e7 cells / 16), the tree's and texts' characters, the rule and the metric
        EvaluationBudget one = new EvaluationBudget();
        EVALUATOR.evaluate(NO_DESKTOP, spec(List.of(check(Metric.CHECK_ACCESSIBILITY_TREE, TREE, fuzzyRule(8_000)))),
                false, one, Deadline.NONE);
        long cells = 6_000L * 8_000 / EvaluationBudget.CHARS_PER_STEP;
        assertTrue(one.steps() >= cells + EvaluationBudget.STEPS_PER_METRIC, "charged " + one.steps());
        assertTrue(one.steps() < cells + EvaluationBudget.STEPS_PER_METRIC + 5_000, "charged " + one.steps());
        // a cheap check is charged the fixed base and little more: OSWorld's handful of checks cost nothing
        EvaluationBudget cheap = new EvaluationBudget();
        EvaluationReport report = EVALUATOR.evaluate(NO_DESKTOP, spec(List.of(check(Metric.EXACT_MATCH, "done",
                JSON.createObjectNode().put("expected", "done")))), false, cheap, Deadline.NONE);
        assertEquals(1.0, report.score());
        assertEquals(EvaluationBudget.STEPS_PER_METRIC, cheap.steps());
        // with `or`, the checks that ran before the budget was spent still count
        List<EvaluatorSpec.Check> checks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            checks.add(check(Metric.FUZZY_MATCH, "x".repeat(6_000),
                    JSON.createObjectNode().put("expected", "x".repeat(8_000))));
        }
        report = EVALUATOR.evaluate(NO_DESKTOP, new EvaluatorSpec(List.of(), checks, false, false), false);
        assertEquals(2.0 * 6_000 / 14_000, report.score(), 1e-9);
        assertNull(report.metrics().get(0).reason());
        assertNotNull(report.metrics().get(1).reason());
        assertNotNull(report.metrics().get(2).reason());
    }

    @Test
    void aFuzzyRuleOverAnElementOfAnyLengthIsChargedAndScores() throws Exception {
        // an element's text of 20 000 characters (OSWorld's fuzz.ratio has no limit): charged 2e6 cells, then scored
        String tree = "<r><a>" + "x".repeat(20_000) + "</a></r>";
        EvaluationReport report = EVALUATOR.evaluate(NO_DESKTOP,
                spec(List.of(check(Metric.CHECK_ACCESSIBILITY_TREE, tree, fuzzyRule(100)))), false);
        assertEquals(2.0 * 100 / 20_100, report.score(), 1e-9);
        // fuzzy_match over a result of 20 000 characters likewise
        report = EVALUATOR.evaluate(NO_DESKTOP, spec(List.of(check(Metric.FUZZY_MATCH, "x".repeat(20_000),
                JSON.createObjectNode().put("expected", "x".repeat(100))))), false);
        assertEquals(2.0 * 100 / 20_100, report.score(), 1e-9);
    }

    @Test
    void aFuzzyComparisonPastTheBudgetStopsWithTheReason() {
        // 100 000 × 100 000 cells (1e10, about 20 s of work) is past the budget: charged before it runs, so it never does
        long start = System.nanoTime();
        EvaluationReport report = EVALUATOR.evaluate(NO_DESKTOP, spec(List.of(check(Metric.FUZZY_MATCH,
                "x".repeat(100_000), JSON.createObjectNode().put("expected", "y".repeat(100_000))))), false);
        assertTrue(System.nanoTime() - start < 3_000_000_000L, "stopped in time");
        assertEquals(0.0, report.score());
        assertTrue(report.metrics().get(0).reason().contains("budget"), report.metrics().get(0).reason());
    }

    /**
     * Review 11's case: a regular expression that is cheap but not free ({@code a*b} over a line of 1 000 {@code a}
     * reads about a million characters), repeated. Each check used to get a fresh second of its own, uncharged, so
     * the time grew with the list; now every read is charged to the evaluation's budget.
     */
    @Test
    void cheapRegexChecksStopAtOneBudgetWhateverTheirNumber() {
        int[] ran = new int[2];
        int[] lengths = {40, 400};
        for (int round = 0; round < lengths.length; round++) {
            List<EvaluatorSpec.Check> checks = new ArrayList<>();
            for (int i = 0; i < lengths[round]; i++) {
                checks.add(check(Metric.CHECK_LIST, "a".repeat(1_000), JSON.createObjectNode()
                        .set("expect", JSON.createArrayNode().add("a*b"))));
            }
            EvaluationBudget budget = new EvaluationBudget();
            long start = System.nanoTime();
            EvaluationReport report = EVALUATOR.evaluate(NO_DESKTOP, spec(checks), false, budget, Deadline.NONE);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(budget.exhausted(), "charged " + budget.steps() + " steps for " + lengths[round] + " checks");
            assertEquals(EvaluationBudget.MAX_STEPS + 1, budget.steps());
            assertTrue(millis < 10_000, lengths[round] + " checks took " + millis + " ms");
            ran[round] = (int) report.metrics().stream().filter(m -> m.reason() == null).count();
            EvaluationReport.MetricScore last = report.metrics().get(lengths[round] - 1);
            assertTrue(last.reason().contains("budget"), last.reason());
        }
        // the same checks run before the budget is spent, however many follow: the work is one budget's
        assertEquals(ran[0], ran[1]);
        assertTrue(ran[0] > 0 && ran[0] < 40, "ran " + ran[0]);
    }

    @Test
    void aSubstringSearchIsChargedItsWorstCase() {
        // indexOf of a^4999 b in a^1 000 000 compares about 5e9 characters (seconds): past the budget, never started
        long start = System.nanoTime();
        EvaluationReport report = EVALUATOR.evaluate(NO_DESKTOP, spec(List.of(check(Metric.CHECK_INCLUDE_EXCLUDE,
                "a".repeat(1_000_000), JSON.createObjectNode().set("include", JSON.createArrayNode()
                        .add("a".repeat(4_999) + "b"))))), false);
        assertTrue(System.nanoTime() - start < 3_000_000_000L, "stopped in time");
        assertEquals(0.0, report.score());
        assertTrue(report.metrics().get(0).reason().contains("budget"), report.metrics().get(0).reason());
        // an ordinary include is charged little and scores
        report = EVALUATOR.evaluate(NO_DESKTOP, spec(List.of(check(Metric.CHECK_INCLUDE_EXCLUDE, "saved: report.pdf",
                JSON.createObjectNode().set("include", JSON.createArrayNode().add("report.pdf"))))), false);
        assertEquals(1.0, report.score());
    }
}

package io.envgrid.vmcontroller.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, review8: the step budget counted only moves through the tree, so string work and the rules themselves
 * ran free. Every unit of an evaluation's work is now charged to the one budget: these cases (review8's two, 98 s and
 * 15 s before, and a list of rules with no end) stop on the calling thread, well within a second or two, with the
 * budget in the reason; ordinary rules over the same trees still score as OSWorld does.
 */
class EvaluationCostBudgetTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Far above what the budget takes, far below what each case took unbounded. */
    private static final Duration BOUNDED = Duration.ofSeconds(3);

    /** A 400 000-character attribute ending in b, over 20 elements (review8's tree). */
    private static final String BIG_ATTRIBUTE_TREE = "<r b='" + "a".repeat(399_999) + "b'>" + "<a/>".repeat(20)
            + "</r>";

    /** 2 000 elements of 400 characters (review8's fuzzy tree). */
    private static final String MANY_TEXTS_TREE = "<r>" + ("<a>" + "x".repeat(400) + "</a>").repeat(2_000) + "</r>";

    private static JsonNode rules(String... xpaths) throws Exception {
        var list = JSON.createArrayNode();
        for (String xpath : xpaths) {
            list.addObject().put("xpath", xpath);
        }
        return list;
    }

    /** Scores the rules, asserting they ran out of budget in time; the reason names the budget. */
    private static void assertStopsWithinBudget(String tree, JsonNode rules) {
        long start = System.nanoTime();
        Unscorable e = assertThrows(Unscorable.class, () -> AccessibilityRules.score(tree, rules));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(e.getMessage().contains("more than " + EvaluationBudget.MAX_STEPS + " steps"), e.getMessage());
        assertTrue(took.compareTo(BOUNDED) < 0, "stopped after " + took.toMillis() + " ms");
    }

    @Test
    void aQuadraticContainsStopsAtTheBudget() throws Exception {
        // indexOf of 200 000 characters in 400 000: 4e10 comparisons per element, in a few dozen tree steps (98 s)
        assertStopsWithinBudget(BIG_ATTRIBUTE_TREE, rules("//a[contains(/r/@b, substring(/r/@b, 200001))]"));
        // the same functions on ordinary strings are cheap and keep XPath's meaning
        assertEquals(1.0, AccessibilityRules.score(BIG_ATTRIBUTE_TREE, rules("//a[contains(/r/@b, 'ab')]",
                "/r[substring-after(@b, 'a') = substring(@b, 2)]", "/r[string-length(@b) = 400000]",
                "//a[starts-with(name(), 'a')]", "/r[substring-before(concat('x', 'yz'), 'z') = 'xy']")));
        assertEquals(0.0, AccessibilityRules.score(BIG_ATTRIBUTE_TREE, rules("//a[contains(/r/@b, 'ba')]")));
    }

    @Test
    void comparingLongValuesPairByPairIsCharged() throws Exception {
        // `=` between node sets compares every pair's string values: 20 × 20 × 40 000 characters for each of 2 000 a
        String tree = "<r>" + ("<c x='" + "y".repeat(40_000) + "'/>").repeat(20) + "<a/>".repeat(2_000) + "</r>";
        assertStopsWithinBudget(tree, rules("//a[//c/@x = //c/@x]"));
    }

    @Test
    void aFuzzyRuleOverManyLongTextsStopsAtTheBudget() throws Exception {
        // 2 000 ratios of 10 000 × 400 cells: 8e9 cells (15 s)
        var fuzzy = JSON.createArrayNode();
        fuzzy.addObject().put("xpath", "//a").put("exact", false).put("text", "y".repeat(10_000));
        assertStopsWithinBudget(MANY_TEXTS_TREE, fuzzy);
        // an ordinary fuzzy rule still scores as OSWorld's, on 200 of those elements too (200 × 400 × 400 cells)
        var ordinary = JSON.createArrayNode();
        ordinary.addObject().put("xpath", "//a").put("exact", false).put("text", "x".repeat(400));
        String tree = "<r>" + ("<a>" + "x".repeat(400) + "</a>").repeat(200) + "</r>";
        assertEquals(1.0, AccessibilityRules.score(tree, ordinary));
    }

    @Test
    void rulesWithoutEndStopAtTheBudget() throws Exception {
        // each rule is one step through a one-element tree, but compiling and running it is not free
        int rules = (int) (EvaluationBudget.MAX_STEPS / AccessibilityRules.STEPS_PER_RULE) + 1;
        String[] cheap = new String[rules];
        java.util.Arrays.fill(cheap, "/r");
        assertStopsWithinBudget("<r/>", rules(cheap));
        // a task's handful of rules is nowhere near it
        String[] handful = new String[20];
        java.util.Arrays.fill(handful, "/r");
        assertEquals(1.0, AccessibilityRules.score("<r/>", rules(handful)));
    }
}

package io.envgrid.vmcontroller.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The XPath rules of {@code check_accessibility_tree} stop themselves: the step-counting navigator ends an evaluation
 * that passes its budget on the calling thread, deterministically, leaving no thread and no work behind.
 */
class XPathStepBudgetTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Far above what the budget takes (under a second), far below an unbounded evaluation of these rules. */
    private static final Duration BOUNDED = Duration.ofSeconds(15);

    /** Under the element limit, so the rules run: {@code count(//*)} for each of 40 000 elements is 1.6e9 steps. */
    private static final String WIDE_TREE = "<r>" + "<a>x</a>".repeat(40_000) + "</r>";

    private static JsonNode rules(String xpath) throws Exception {
        return JSON.readTree("[{\"xpath\": " + JSON.writeValueAsString(xpath) + "}]");
    }

    @Test
    void aQuadraticXPathStopsAtItsStepBudgetOnTheCallingThreadAndLeavesNothingRunning() throws Exception {
        Set<Long> before = threadIds();
        long start = System.nanoTime();
        Unscorable e = assertThrows(Unscorable.class,
                () -> AccessibilityRules.score(WIDE_TREE, rules("//*[count(//*) > 0]")));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(e.getMessage().contains("more than " + EvaluationBudget.MAX_STEPS + " steps"), e.getMessage());
        assertTrue(took.compareTo(BOUNDED) < 0, "stopped after " + took.toMillis() + " ms");
        // the evaluation ran here and ended with the exception: no thread was started for it, none burns a core now
        Set<Long> started = threadIds();
        started.removeAll(before);
        assertEquals(Set.of(), started, "threads started by the evaluation");
        assertTrue(Thread.getAllStackTraces().values().stream().flatMap(Arrays::stream)
                .noneMatch(frame -> frame.getClassName().startsWith("org.jaxen")), "no thread is still in Jaxen");
    }

    @Test
    void theBudgetIsDeterministic() throws Exception {
        // the same count of steps every time, whatever the machine's load: no clock is involved
        for (int run = 0; run < 2; run++) {
            StepCountingNavigator navigator = new StepCountingNavigator(new EvaluationBudget(10_000));
            var xpath = new org.jaxen.BaseXPath("//*[count(//*) > 0]", navigator);
            var tree = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new org.xml.sax.InputSource(new java.io.StringReader(WIDE_TREE)));
            assertThrows(EvaluationBudget.OutOfSteps.class, () -> xpath.selectNodes(tree));
            assertEquals(10_001, navigator.budget().steps());
        }
    }

    @Test
    void stringValuesAreCountedToo() throws Exception {
        // string(/) reads the whole tree with no axis step: 40 000 times 80 000 nodes unless the navigator counts them
        assertThrows(Unscorable.class, () -> AccessibilityRules.score(WIDE_TREE, rules("//*[string(/) = 'y']")));
        assertEquals(1.0, AccessibilityRules.score("<r><a>x<b>y</b></a></r>", rules("//a[string(.) = 'xy']")));
    }

    @Test
    void ordinaryRulesOnAWideTreeStayWellWithinTheBudget() throws Exception {
        assertEquals(1.0, AccessibilityRules.score(WIDE_TREE, rules("//a[last()]")));
        assertEquals(1.0, AccessibilityRules.score(WIDE_TREE, rules("/r[count(a) = 40000]")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"document('file:///etc/passwd')/*", "count(//r)", "'r'", "true()", "//foo:r", "(1)[1]",
        "sum(//r) div 0", "lower-case('R')", "evaluate('//r')", "//r[position() = 'a']", "id('x')", "position()//r",
        "string(/)/..", "last()//comment()"})
    void whatSelectsNoElementScoresZero(String xpath) throws Exception {
        // document() and Jaxen's extensions are not functions here; values that are no node set select nothing, and
        // so do paths from them (a type error, which Jaxen's DOM navigator would answer with a ClassCastException)
        assertEquals(0.0, AccessibilityRules.score("<r a=''/>", rules(xpath)));
    }

    @Test
    void theLongestNestingAnXPathMayHaveIsEvaluatedWithoutExhaustingTheStack() throws Exception {
        String nested = "(".repeat(495) + "//a" + ")".repeat(495);
        assertEquals(1.0, AccessibilityRules.score("<r><a/></r>", rules(nested)));
        String negations = "//a[" + "not(".repeat(195) + "b" + ")".repeat(195) + "]";
        assertEquals(1.0, AccessibilityRules.score("<r><a/></r>", rules(negations)));
    }

    private static Set<Long> threadIds() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getId).collect(Collectors.toSet());
    }
}

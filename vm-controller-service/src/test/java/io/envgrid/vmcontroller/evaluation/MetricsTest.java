package io.envgrid.vmcontroller.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.task.Parameters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each metric against OSWorld's semantics, on values as the getters produce them. */
class MetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode NO_OPTIONS = JSON.createObjectNode();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The rules as the expected getter {@code {"type": "rule", "rules": ...}}, checked by the shared reader. */
    private static void check(Metric metric, String rules) {
        Metrics.checkRules(metric, Parameters.of(json("{\"type\": \"rule\", \"rules\": " + rules + "}"),
                "evaluator.expected", "evaluator.expected", 0));
    }

    /** The refusal of {@code rules}: 400 INVALID_PARAMETERS whose message names {@code named}. */
    private static void refused(Metric metric, String rules, String named) {
        ApiException e = assertThrows(ApiException.class, () -> check(metric, rules));
        assertEquals(400, e.status(), e.getMessage());
        assertEquals("INVALID_PARAMETERS", e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    private static double score(Metric metric, Value result, String rules) {
        check(metric, rules);
        return Metrics.score(metric, result, new Value.Json(json(rules)), NO_OPTIONS);
    }

    private static Value text(String text) {
        return new Value.Text(text);
    }

    private static Value file(String content) {
        return new Value.File("/f", content.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void exactMatchComparesTextOrJson() {
        assertEquals(1.0, score(Metric.EXACT_MATCH, text("final.txt\n"), "{\"expected\": \"final.txt\\n\"}"));
        assertEquals(0.0, score(Metric.EXACT_MATCH, text("final.txt"), "{\"expected\": \"final.txt\\n\"}"));
        assertEquals(1.0, score(Metric.EXACT_MATCH, new Value.Json(json("{\"a\": [1, 2]}")), "{\"expected\": {\"a\": [1, 2]}}"));
        assertEquals(0.0, score(Metric.EXACT_MATCH, new Value.Json(json("{\"a\": [2, 1]}")), "{\"expected\": {\"a\": [1, 2]}}"));
    }

    @Test
    void includeExcludeAndLists() {
        String rules = "{\"include\": [\"Hello\", \"World\"], \"exclude\": [\"error\"]}";
        assertEquals(1.0, score(Metric.CHECK_INCLUDE_EXCLUDE, text("Hello World"), rules));
        assertEquals(0.0, score(Metric.CHECK_INCLUDE_EXCLUDE, text("Hello World error"), rules));
        assertEquals(0.0, score(Metric.CHECK_INCLUDE_EXCLUDE, text("Hello"), rules));
        assertEquals(1.0, score(Metric.MATCH_IN_LIST, text("red"), "{\"expected\": [\"red\", \"blue\"]}"));
        assertEquals(0.0, score(Metric.MATCH_IN_LIST, text("red\n"), "{\"expected\": [\"red\", \"blue\"]}"));
        assertEquals(1.0, score(Metric.IS_IN_LIST, text("zebra\n"), "{\"expected\": \"zebra\"}"));
        assertEquals(0.0, score(Metric.IS_IN_LIST, text("cherry\n"), "{\"expected\": \"zebra\"}"));
    }

    @Test
    void fuzzyMatchIsRapidfuzzRatio() {
        // fuzz.ratio("abcd", "abce") == 75.0; ("", "") == 100; ("abc", "") == 0
        assertEquals(0.75, Metrics.ratio("abcd", "abce", new EvaluationBudget()), 1e-9);
        assertEquals(1.0, Metrics.ratio("", "", new EvaluationBudget()));
        assertEquals(0.0, Metrics.ratio("abc", "", new EvaluationBudget()));
        assertEquals(1.0, score(Metric.FUZZY_MATCH, text("The quick brown fox"), "{\"expected\": \"The quick brown fox\"}"));
        // any length, as rapidfuzz's: the desktop's text is data, charged to the budget (EvaluationBudgetTest)
        assertEquals(2.0 / 10_002, Metrics.ratio("a".repeat(10_001), "a", new EvaluationBudget()), 1e-12);
    }

    @Test
    void checkListMatchesRegexesPerLine() {
        String rules = "{\"expect\": [\"^\\\\d{4}-\\\\d{2}-\\\\d{2} OK$\"], \"unexpect\": [\"ERROR\"]}";
        assertEquals(1.0, score(Metric.CHECK_LIST, file("started\n2026-11-30 OK\n"), rules));
        assertEquals(0.0, score(Metric.CHECK_LIST, file("started\n"), rules));
        assertEquals(0.0, score(Metric.CHECK_LIST, file("2026-11-30 OK\nERROR x\n"), rules));
        // Python's named groups are read
        assertEquals(1.0, score(Metric.CHECK_LIST, file("ab ab\n"), "{\"expect\": [\"(?P<w>ab) (?P=w)\"]}"));
    }

    @Test
    void checkJsonRules() {
        String rules = "{\"expect\": [{\"key\": [\"theme\"], \"method\": \"eq\", \"ref\": \"dark\"},"
                + " {\"key\": [\"font\", \"size\"], \"method\": \"ge\", \"ref\": 12},"
                + " {\"key\": [\"list\", 1], \"method\": \"approx:0.1\", \"ref\": 2.0}],"
                + " \"unexpect\": [{\"key\": [\"theme\"], \"method\": \"re.I\", \"ref\": \"LIGHT\"}]}";
        assertEquals(1.0, score(Metric.CHECK_JSON, file("{\"theme\": \"dark\", \"font\": {\"size\": 12.0}, \"list\": [0, 2.05]}"), rules));
        assertEquals(0.0, score(Metric.CHECK_JSON, file("{\"theme\": \"Light\", \"font\": {\"size\": 14}, \"list\": [0, 2]}"), rules));
        assertEquals(0.0, score(Metric.CHECK_JSON, file("{\"theme\": \"dark\", \"font\": {}, \"list\": [0, 2]}"), rules),
                "a missing key matches nothing");
        assertEquals(0.0, score(Metric.CHECK_JSON, file("not json"), rules));
    }

    @Test
    void compareTextFileWithOptions() {
        JsonNode options = json("{\"ignore_blanks\": true, \"ignore_case\": true}");
        assertEquals(1.0, Metrics.score(Metric.COMPARE_TEXT_FILE, file("line one\nline two\n"), file("line one\nline two\n"), NO_OPTIONS));
        assertEquals(0.0, Metrics.score(Metric.COMPARE_TEXT_FILE, file("line one\n"), file("line one\nline two\n"), NO_OPTIONS));
        assertEquals(0.0, Metrics.score(Metric.COMPARE_TEXT_FILE, file("Line  One\n"), file("line one"), NO_OPTIONS));
        assertEquals(1.0, Metrics.score(Metric.COMPARE_TEXT_FILE, file("Line \t One\n"), file("line one"), options));
    }

    @Test
    void anAbsentValueScoresZeroEverywhere() {
        for (Metric metric : Metric.values()) {
            assertEquals(0.0, Metrics.score(metric, new Value.Absent("no file"), file("x"), NO_OPTIONS), metric.func());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CHECK_LIST | {\"expect\": [\"(\"]} | evaluator.expected.rules.expect",
        "MATCH_IN_LIST | {\"expected\": \"red\"} | evaluator.expected.rules.expected",
        "CHECK_INCLUDE_EXCLUDE | {\"include\": [1]} | evaluator.expected.rules.include",
        "FUZZY_MATCH | {\"expected\": 3} | evaluator.expected.rules.expected",
        "CHECK_JSON | {\"expect\": [{\"key\": [\"a\"], \"method\": \"spreadsheet_range\", \"ref\": 1}]} | evaluator.expected.rules.expect[0].method",
        "CHECK_JSON | {\"expect\": [{\"key\": [\"a\"], \"method\": \"re.X\", \"ref\": \"a\"}]} | expect[0].method",
        "CHECK_JSON | {\"expect\": [{\"key\": \"a\", \"ref\": 1}]} | evaluator.expected.rules.expect[0].key",
        "CHECK_JSON | {\"expect\": [{\"key\": [\"a\"]}]} | evaluator.expected.rules.expect[0].ref",
        "EXACT_MATCH | [\"a\"] | evaluator.expected.rules",
        "CHECK_ACCESSIBILITY_TREE | [{\"xpath\": \"//text[\"}] | evaluator.expected.rules[0].xpath",
        "CHECK_ACCESSIBILITY_TREE | [{\"text\": \"a\"}] | evaluator.expected.rules[0].xpath",
        "CHECK_ACCESSIBILITY_TREE | [{\"xpath\": \"//a\", \"exact\": \"yes\"}] | evaluator.expected.rules[0].exact",
        "CHECK_ACCESSIBILITY_TREE | [{\"xpath\": \"//a\", \"colour\": 1}] | colour",
        "CHECK_ACCESSIBILITY_TREE | {\"xpath\": \"//a\"} | evaluator.expected.rules"
    })
    void badRulesAreRefusedBeforeScoringNamingTheParameter(Metric metric, String rules, String named) {
        refused(metric, rules, named);
    }

    @Test
    void aLongXpathIsRefused() {
        String nested = "(".repeat(600) + "1" + ")".repeat(600);
        refused(Metric.CHECK_ACCESSIBILITY_TREE, "[{\"xpath\": \"" + nested + "\"}]", "up to 1000 characters");
    }

    /** A tree as the device agent serves it: OSWorld's ubuntu namespaces, text as element content. */
    private static final String TREE = "<desktop-frame xmlns:st=\"https://accessibility.ubuntu.example.org/ns/state\" "
            + "name=\"main\"><application name=\"xterm\"><frame name=\"notes.txt\" st:active=\"true\">"
            + "<text name=\"body\">Hello OSWorld<caret/></text></frame></application>"
            + "<application name=\"gedit\"><push-button name=\"Save\" st:enabled=\"false\"/></application></desktop-frame>";

    @Test
    void checkAccessibilityTreeSelectsByXpathAndComparesText() {
        // an element exists
        assertEquals(1.0, score(Metric.CHECK_ACCESSIBILITY_TREE, text(TREE),
                "[{\"xpath\": \"//application[@name='xterm']/frame[@st:active='true']\"}]"));
        assertEquals(0.0, score(Metric.CHECK_ACCESSIBILITY_TREE, text(TREE),
                "[{\"xpath\": \"//application[@name='firefox']\"}]"));
        // text: the element's own text before its first child (lxml's .text), exact by default
        assertEquals(1.0, score(Metric.CHECK_ACCESSIBILITY_TREE, text(TREE),
                "[{\"xpath\": \"//text[@name='body']\", \"text\": \"Hello OSWorld\"}]"));
        assertEquals(0.0, score(Metric.CHECK_ACCESSIBILITY_TREE, text(TREE),
                "[{\"xpath\": \"//text[@name='body']\", \"text\": \"Hello OSWorl\"}]"));
        assertEquals(Metrics.ratio("Hello OSWorl", "Hello OSWorld", new EvaluationBudget()), score(Metric.CHECK_ACCESSIBILITY_TREE, text(TREE),
                "[{\"xpath\": \"//text[@name='body']\", \"text\": \"Hello OSWorl\", \"exact\": false}]"), 1e-9);
        // every rule must hold: the product
        assertEquals(0.0, score(Metric.CHECK_ACCESSIBILITY_TREE, text(TREE), "[{\"xpath\": \"//text\"}, "
                + "{\"xpath\": \"//push-button[@st:enabled='true']\"}]"));
        assertEquals(0.0, score(Metric.CHECK_ACCESSIBILITY_TREE, text("not <xml"), "[{\"xpath\": \"//text\"}]"));
    }

    @Test
    void cssSelectorsAreRefusedAsUnsupported() {
        ApiException css = assertThrows(ApiException.class, () -> check(Metric.CHECK_ACCESSIBILITY_TREE,
                "[{\"selectors\": [\"application[name=xterm]\"]}]"));
        assertEquals("UNSUPPORTED_TASK_FEATURE", css.code());
    }

    @Test
    void conjunctionIsZeroOnAnyZeroElseTheMean_disjunctionTheBest() {
        List<EvaluationReport.MetricScore> mixed = List.of(new EvaluationReport.MetricScore("a", "r", "e", 1.0, null),
                new EvaluationReport.MetricScore("b", "r", "e", 0.5, null));
        assertEquals(0.75, Evaluator.combine(mixed, true));
        assertEquals(1.0, Evaluator.combine(mixed, false));
        List<EvaluationReport.MetricScore> withZero = List.of(new EvaluationReport.MetricScore("a", "r", "e", 1.0, null),
                new EvaluationReport.MetricScore("b", "r", "e", 0.0, null));
        assertEquals(0.0, Evaluator.combine(withZero, true));
        assertEquals(1.0, Evaluator.combine(withZero, false));
    }

    /** A pattern that backtracks exponentially: minutes of work on this line without the budget. */
    private static final String CATASTROPHIC = "(.*a){12}$";
    private static final String HOSTILE_LINE = "a".repeat(28) + "!";

    @Test
    void aBacktrackingRegexStopsAtTheBudgetInCheckList() {
        long start = System.nanoTime();
        Unscorable e = assertThrows(Unscorable.class, () -> score(Metric.CHECK_LIST, text(HOSTILE_LINE),
                "{\"expect\": [\"" + CATASTROPHIC + "\"]}"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("work budget"), e.getMessage());
        assertTrue(millis < 10_000, "stopped after " + millis + " ms");
    }

    @Test
    void aBacktrackingRegexStopsAtTheBudgetInCheckJson() {
        String rules = "{\"expect\": [{\"key\": [\"a\"], \"method\": \"re\", \"ref\": \"" + CATASTROPHIC + "\"}]}";
        Unscorable e = assertThrows(Unscorable.class, () -> score(Metric.CHECK_JSON,
                text("{\"a\": \"" + HOSTILE_LINE + "\"}"), rules));
        assertTrue(e.getMessage().contains("work budget"), e.getMessage());
        // the same rule on a line it matches quickly still scores
        assertEquals(1.0, score(Metric.CHECK_JSON, text("{\"a\": \"aaaaaaaaaaaa\"}"), rules));
    }

    @Test
    void longPatternsAreRefusedAndLongResultsSearched() {
        String longPattern = "a".repeat(ChargedRegex.MAX_PATTERN_CHARS + 1);
        refused(Metric.CHECK_LIST, "{\"expect\": [\"" + longPattern + "\"]}", "up to");
        refused(Metric.CHECK_JSON, "{\"expect\": [{\"key\": [\"a\"], \"method\": \"re\", \"ref\": \"" + longPattern + "\"}]}",
                "up to");
        // a result past a million characters (422 before) is the desktop's data: searched within the budget, scored
        String longResult = "b".repeat(1_500_000) + "\ndone";
        assertEquals(1.0, score(Metric.CHECK_LIST, text(longResult), "{\"expect\": [\"^done$\"]}"));
        assertEquals(0.0, score(Metric.CHECK_LIST, text(longResult), "{\"expect\": [\"^undone$\"]}"));
    }

    @Test
    void aRegexThatRecursesPastTheStackScoresZeroWithTheReason() {
        // Java's engine recurses once per repetition of a group: this overflowed the worker thread's stack (a 500)
        Unscorable e = assertThrows(Unscorable.class, () -> score(Metric.CHECK_LIST, text("ab".repeat(50_000)),
                "{\"expect\": [\"(a|b)*z\"]}"));
        assertTrue(e.getMessage().contains("recursed"), e.getMessage());
    }
}

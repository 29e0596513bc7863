package io.envgrid.vmcontroller.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.vmcontroller.error.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    private static double score(Metric metric, Value result, String rules) {
        Metrics.checkRules(metric, json(rules));
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
        assertEquals(0.75, Metrics.ratio("abcd", "abce"), 1e-9);
        assertEquals(1.0, Metrics.ratio("", ""));
        assertEquals(0.0, Metrics.ratio("abc", ""));
        assertEquals(1.0, score(Metric.FUZZY_MATCH, text("The quick brown fox"), "{\"expected\": \"The quick brown fox\"}"));
        ApiException tooLong = assertThrows(ApiException.class, () -> Metrics.ratio("a".repeat(Metrics.FUZZY_MAX_CHARS + 1), "a"));
        assertEquals(422, tooLong.status());
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

    @Test
    void badRulesAreRefusedBeforeScoring() {
        assertThrows(IllegalArgumentException.class, () -> Metrics.checkRules(Metric.CHECK_LIST, json("{\"expect\": [\"(\"]}")));
        assertThrows(IllegalArgumentException.class, () -> Metrics.checkRules(Metric.MATCH_IN_LIST, json("{\"expected\": \"red\"}")));
        assertThrows(IllegalArgumentException.class, () -> Metrics.checkRules(Metric.CHECK_INCLUDE_EXCLUDE, json("{\"include\": [1]}")));
        assertThrows(IllegalArgumentException.class, () -> Metrics.checkRules(Metric.CHECK_JSON,
                json("{\"expect\": [{\"key\": [\"a\"], \"method\": \"spreadsheet_range\", \"ref\": 1}]}")));
        assertThrows(IllegalArgumentException.class, () -> Metrics.checkRules(Metric.CHECK_JSON,
                json("{\"expect\": [{\"key\": [\"a\"], \"method\": \"re.X\", \"ref\": \"a\"}]}")));
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
        ApiException e = assertThrows(ApiException.class, () -> score(Metric.CHECK_LIST, text(HOSTILE_LINE),
                "{\"expect\": [\"" + CATASTROPHIC + "\"]}"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(422, e.status());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("regex took too long"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertTrue(millis < 10_000, "stopped after " + millis + " ms");
    }

    @Test
    void aBacktrackingRegexStopsAtTheBudgetInCheckJson() {
        String rules = "{\"expect\": [{\"key\": [\"a\"], \"method\": \"re\", \"ref\": \"" + CATASTROPHIC + "\"}]}";
        ApiException e = assertThrows(ApiException.class, () -> score(Metric.CHECK_JSON,
                text("{\"a\": \"" + HOSTILE_LINE + "\"}"), rules));
        assertEquals(422, e.status());
        // the same rule on a line it matches quickly still scores
        assertEquals(1.0, score(Metric.CHECK_JSON, text("{\"a\": \"aaaaaaaaaaaa\"}"), rules));
    }

    @Test
    void longPatternsAndLongResultsAreRefused() {
        String longPattern = "a".repeat(RegexBudget.MAX_PATTERN_CHARS + 1);
        assertThrows(IllegalArgumentException.class, () -> Metrics.checkRules(Metric.CHECK_LIST,
                json("{\"expect\": [\"" + longPattern + "\"]}")));
        assertThrows(IllegalArgumentException.class, () -> Metrics.checkRules(Metric.CHECK_JSON,
                json("{\"expect\": [{\"key\": [\"a\"], \"method\": \"re\", \"ref\": \"" + longPattern + "\"}]}")));
        ApiException e = assertThrows(ApiException.class, () -> score(Metric.CHECK_LIST,
                text("b".repeat(RegexBudget.MAX_INPUT_CHARS + 1)), "{\"expect\": [\"a\"]}"));
        assertEquals(422, e.status());
    }
}

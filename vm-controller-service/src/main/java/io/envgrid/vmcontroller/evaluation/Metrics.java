package io.envgrid.vmcontroller.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.vmcontroller.task.Parameters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The metric functions of {@link Metric}, with OSWorld's semantics: a score in [0, 1], and 0 whenever the result is
 * absent (OSWorld's {@code None}). {@link #checkRules} refuses rules a function could not read, before anything runs.
 */
public final class Metrics {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Metrics() {
    }

    /**
     * Checks a {@code rule} getter's {@code rules} for {@code metric} ({@code getter}: the getter, read with the shared
     * reader); a malformed rule is {@code 400 INVALID_PARAMETERS} naming it. Regular expressions and XPath expressions
     * are compiled here, so a bad one never reaches the scoring. Keys a metric does not read are let be, as OSWorld's
     * metrics read {@code rules} with {@code dict.get}.
     */
    public static void checkRules(Metric metric, Parameters getter) {
        if (metric == Metric.CHECK_ACCESSIBILITY_TREE) {
            JsonNode list = getter.list("rules");
            for (int i = 0; i < list.size(); i++) {
                AccessibilityRules.check(getter.nested(list.get(i), getter.where() + ".rules[" + i + "]"));
            }
            return;
        }
        if (!getter.raw("rules").isObject()) {
            throw getter.invalid("rules", "must be an object for " + metric.func());
        }
        Parameters rules = getter.object("rules");
        switch (metric) {
            case EXACT_MATCH, IS_IN_LIST, FUZZY_MATCH -> {
                if (!rules.has("expected")) {
                    throw rules.invalid("expected", "is required");
                }
                if (metric != Metric.EXACT_MATCH) {
                    rules.string("expected");
                }
            }
            case MATCH_IN_LIST -> rules.list("expected");
            case CHECK_INCLUDE_EXCLUDE -> {
                rules.strings("include");
                rules.strings("exclude");
            }
            case CHECK_LIST -> {
                for (String name : List.of("expect", "unexpect")) {
                    try {
                        rules.strings(name).forEach(Metrics::regex);
                    } catch (IllegalArgumentException e) {
                        throw rules.invalid(name, "holds " + e.getMessage());
                    }
                }
            }
            case CHECK_JSON -> {
                jsonRules(rules, "expect");
                jsonRules(rules, "unexpect");
            }
            case COMPARE_TEXT_FILE, CHECK_ACCESSIBILITY_TREE -> throw rules.invalid(null, "is not read by "
                    + metric.func());
        }
    }

    /** {@link #score(Metric, Value, Value, JsonNode, EvaluationBudget)} as a metric alone, with a budget of its own. */
    static double score(Metric metric, Value result, Value expected, JsonNode options) {
        return score(metric, result, expected, options, new EvaluationBudget());
    }

    /**
     * The score of {@code metric} on the two values; {@code options} is the task's options object (checked). Work that
     * grows faster than the values (XPath rules, the fuzzy ratio's table, regular-expression searches, substring
     * searches) and passes over them (a file's normalisation, splitting into lines) is charged to the evaluation's
     * {@code budget}; past it the metric is {@link Unscorable} with the budget as its reason.
     */
    static double score(Metric metric, Value result, Value expected, JsonNode options, EvaluationBudget budget) {
        try {
            return unbudgeted(metric, result, expected, options, budget);
        } catch (EvaluationBudget.OutOfSteps e) {
            throw new Unscorable(e.getMessage());
        }
    }

    private static double unbudgeted(Metric metric, Value result, Value expected, JsonNode options,
            EvaluationBudget budget) {
        if (result instanceof Value.Absent || expected instanceof Value.Absent) {
            return 0.0;
        }
        String text = result.text();
        JsonNode rules = expected instanceof Value.Json json ? json.value() : null;
        return switch (metric) {
            case EXACT_MATCH -> rules.get("expected").isTextual()
                    ? bool(text.equals(rules.get("expected").asText()))
                    : bool(result instanceof Value.Json json && json.value().equals(rules.get("expected")));
            case CHECK_INCLUDE_EXCLUDE -> bool(strings(rules, "include").stream().allMatch(s -> contains(text, s, budget))
                    && strings(rules, "exclude").stream().noneMatch(s -> contains(text, s, budget)));
            case MATCH_IN_LIST -> {
                boolean found = false;
                for (JsonNode candidate : rules.get("expected")) {
                    found |= candidate.isTextual() ? candidate.asText().equals(text)
                            : result instanceof Value.Json json && candidate.equals(json.value());
                }
                yield bool(found);
            }
            case IS_IN_LIST -> bool(contains(text, rules.get("expected").asText(), budget));
            case FUZZY_MATCH -> ratio(text, rules.get("expected").asText(), budget);
            case CHECK_LIST -> checkList(text, rules, budget);
            case CHECK_JSON -> checkJson(text, rules, budget);
            case COMPARE_TEXT_FILE -> bool(normalised(text, options, budget).equals(normalised(expected.text(), options,
                    budget)));
            case CHECK_ACCESSIBILITY_TREE -> AccessibilityRules.score(text, rules, budget);
        };
    }

    private static double bool(boolean passed) {
        return passed ? 1.0 : 0.0;
    }

    /**
     * rapidfuzz's normalised Indel similarity: 2·LCS(a, b) / (len(a) + len(b)); two empty strings are equal. Any
     * lengths, as rapidfuzz's: the texts are the desktop's data, not the caller's mistake, so the |a|·|b| table is
     * charged to {@code budget} before it is filled (memory is two rows), and a table past the budget is never started.
     */
    static double ratio(String a, String b, EvaluationBudget budget) {
        budget.chargeChars(ChargedFunctions.saturatedProduct(a.length(), b.length()));
        if (a.isEmpty() && b.isEmpty()) {
            return 1.0;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                current[j] = a.charAt(i - 1) == b.charAt(j - 1) ? previous[j - 1] + 1
                        : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return 2.0 * previous[b.length()] / (a.length() + b.length());
    }

    /**
     * Whether {@code sought} is a substring of {@code text}, charging {@code indexOf}'s worst case first (|sought|
     * characters compared at each of the |text| - |sought| + 1 starting positions), as {@link ChargedFunctions}
     * charges XPath's {@code contains}.
     */
    private static boolean contains(String text, String sought, EvaluationBudget budget) {
        budget.chargeChars(sought.length() <= text.length()
                ? ChargedFunctions.saturatedProduct(text.length() - sought.length() + 1L, sought.length()) : 1);
        return text.contains(sought);
    }

    private static double checkList(String text, JsonNode rules, EvaluationBudget budget) {
        ChargedRegex regex = new ChargedRegex(budget);
        List<Pattern> expect = strings(rules, "expect").stream().map(p -> regex.compile(p, 0)).toList();
        List<Pattern> unexpect = strings(rules, "unexpect").stream().map(p -> regex.compile(p, 0)).toList();
        budget.chargeChars(text.length()); // the split into lines copies the text once
        boolean[] seen = new boolean[expect.size()];
        for (String line : text.split("\n", -1)) {
            for (int i = 0; i < expect.size(); i++) {
                seen[i] |= regex.find(expect.get(i), line);
            }
            if (unexpect.stream().anyMatch(p -> regex.find(p, line))) {
                return 0.0;
            }
        }
        for (boolean found : seen) {
            if (!found) {
                return 0.0;
            }
        }
        return 1.0;
    }

    private static double checkJson(String text, JsonNode rules, EvaluationBudget budget) {
        JsonNode document;
        try {
            document = JSON.readTree(text);
        } catch (IOException e) {
            return 0.0; // not JSON: OSWorld's json.load raises and the task fails
        }
        if (document == null) {
            return 0.0;
        }
        ChargedRegex regex = new ChargedRegex(budget);
        for (JsonNode rule : rules.path("expect")) {
            if (!JsonRule.matches(at(document, rule.get("key")), rule, regex)) {
                return 0.0;
            }
        }
        for (JsonNode rule : rules.path("unexpect")) {
            if (JsonRule.matches(at(document, rule.get("key")), rule, regex)) {
                return 0.0;
            }
        }
        return 1.0;
    }

    /** The value at a key path (object keys as strings, list indexes as numbers); missing on the way: null. */
    private static JsonNode at(JsonNode document, JsonNode keys) {
        JsonNode value = document;
        for (JsonNode key : keys) {
            value = key.isInt() ? value.get(key.asInt()) : value.get(key.asText());
            if (value == null) {
                return null;
            }
        }
        return value;
    }

    /**
     * compare_text_file: ignore_blanks folds runs of white space to one space and strips; ignore_case lower-cases.
     * Each pass over the text (three for the blanks, one for the case, the comparison that follows) is charged by its
     * length before it runs.
     */
    private static String normalised(String text, JsonNode options, EvaluationBudget budget) {
        boolean blanks = options.path("ignore_blanks").asBoolean(false);
        boolean fold = options.path("ignore_case").asBoolean(false);
        budget.chargeChars(ChargedFunctions.saturatedProduct(text.length(), 1 + (blanks ? 3 : 0) + (fold ? 1 : 0)));
        String out = text;
        if (blanks) {
            out = out.replaceAll("[\\t\\n]", " ").strip().replaceAll("\\s+", " ");
        }
        if (fold) {
            out = out.toLowerCase(java.util.Locale.ROOT);
        }
        return out;
    }

    /** A list of strings of rules already checked ({@link #checkRules}); absent: empty. */
    private static List<String> strings(JsonNode rules, String field) {
        List<String> out = new ArrayList<>();
        rules.path(field).forEach(item -> out.add(item.asText()));
        return out;
    }

    private static void jsonRules(Parameters rules, String field) {
        if (!rules.has(field)) {
            return;
        }
        JsonNode list = rules.list(field);
        for (int i = 0; i < list.size(); i++) {
            Parameters rule = rules.nested(list.get(i), rules.where() + "." + field + "[" + i + "]");
            rule.list("key");
            rule.optionalString("method");
            if (!list.get(i).has("ref")) {
                throw rule.invalid("ref", "is required");
            }
            try {
                JsonRule.check(list.get(i));
            } catch (IllegalArgumentException e) {
                throw rule.invalid("method", "(with its ref): " + e.getMessage());
            }
        }
    }

    /**
     * A Python regular expression read by Java's engine: the syntax the two share covers OSWorld's patterns; Python's
     * named groups {@code (?P<n>...)} / {@code (?P=n)} are rewritten to Java's.
     */
    static Pattern regex(String python) {
        return regex(python, 0);
    }

    static Pattern regex(String python, int flags) {
        if (python.length() > ChargedRegex.MAX_PATTERN_CHARS) {
            throw new IllegalArgumentException("a regular expression may have up to " + ChargedRegex.MAX_PATTERN_CHARS
                    + " characters; this one has " + python.length());
        }
        String java = python.replace("(?P<", "(?<").replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>");
        try {
            return Pattern.compile(java, flags);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("not a regular expression: " + python + " (" + e.getDescription() + ")");
        }
    }
}

package io.envgrid.vmcontroller.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.error.ErrorCode;
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

    /** fuzzy_match compares strings up to this length: the LCS table is quadratic, 10^8 cells at the limit. */
    static final int FUZZY_MAX_CHARS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Metrics() {
    }

    /**
     * Checks a {@code rule} getter's {@code rules} for {@code metric}; throws {@link IllegalArgumentException} saying
     * what is wrong. Regular expressions are compiled here, so a bad one never reaches the scoring.
     */
    public static void checkRules(Metric metric, JsonNode rules) {
        if (!rules.isObject()) {
            throw new IllegalArgumentException("rules must be an object");
        }
        switch (metric) {
            case EXACT_MATCH, IS_IN_LIST, FUZZY_MATCH -> {
                if (!rules.has("expected")) {
                    throw new IllegalArgumentException("rules.expected is required");
                }
                if (metric != Metric.EXACT_MATCH && !rules.get("expected").isTextual()) {
                    throw new IllegalArgumentException("rules.expected must be a string");
                }
            }
            case MATCH_IN_LIST -> {
                if (!rules.path("expected").isArray()) {
                    throw new IllegalArgumentException("rules.expected must be a list");
                }
            }
            case CHECK_INCLUDE_EXCLUDE -> {
                strings(rules, "include");
                strings(rules, "exclude");
            }
            case CHECK_LIST -> {
                strings(rules, "expect").forEach(Metrics::regex);
                strings(rules, "unexpect").forEach(Metrics::regex);
            }
            case CHECK_JSON -> {
                jsonRules(rules, "expect");
                jsonRules(rules, "unexpect");
            }
            case COMPARE_TEXT_FILE -> throw new IllegalArgumentException("compare_text_file compares two files, not rules");
        }
    }

    /** The score of {@code metric} on the two values; {@code options} is the task's options object (checked). */
    public static double score(Metric metric, Value result, Value expected, JsonNode options) {
        if (result instanceof Value.Absent || expected instanceof Value.Absent) {
            return 0.0;
        }
        String text = result.text();
        JsonNode rules = expected instanceof Value.Json json ? json.value() : null;
        return switch (metric) {
            case EXACT_MATCH -> rules.get("expected").isTextual()
                    ? bool(text.equals(rules.get("expected").asText()))
                    : bool(result instanceof Value.Json json && json.value().equals(rules.get("expected")));
            case CHECK_INCLUDE_EXCLUDE -> bool(strings(rules, "include").stream().allMatch(text::contains)
                    && strings(rules, "exclude").stream().noneMatch(text::contains));
            case MATCH_IN_LIST -> {
                boolean found = false;
                for (JsonNode candidate : rules.get("expected")) {
                    found |= candidate.isTextual() ? candidate.asText().equals(text)
                            : result instanceof Value.Json json && candidate.equals(json.value());
                }
                yield bool(found);
            }
            case IS_IN_LIST -> bool(text.contains(rules.get("expected").asText()));
            case FUZZY_MATCH -> ratio(text, rules.get("expected").asText());
            case CHECK_LIST -> checkList(text, rules);
            case CHECK_JSON -> checkJson(text, rules);
            case COMPARE_TEXT_FILE -> bool(normalised(text, options).equals(normalised(expected.text(), options)));
        };
    }

    private static double bool(boolean passed) {
        return passed ? 1.0 : 0.0;
    }

    /** rapidfuzz's normalised Indel similarity: 2·LCS(a, b) / (len(a) + len(b)); two empty strings are equal. */
    static double ratio(String a, String b) {
        if (a.isEmpty() && b.isEmpty()) {
            return 1.0;
        }
        if (a.length() > FUZZY_MAX_CHARS || b.length() > FUZZY_MAX_CHARS) {
            throw new ApiException(422, ErrorCode.EVALUATION_FAILED, "fuzzy_match compares strings of up to "
                    + FUZZY_MAX_CHARS + " characters; the result has " + a.length(), java.util.Map.of());
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

    private static double checkList(String text, JsonNode rules) {
        List<Pattern> expect = strings(rules, "expect").stream().map(Metrics::regex).toList();
        List<Pattern> unexpect = strings(rules, "unexpect").stream().map(Metrics::regex).toList();
        RegexBudget.checkInput("check_list", text);
        RegexBudget budget = RegexBudget.start();
        boolean[] seen = new boolean[expect.size()];
        for (String line : text.split("\n", -1)) {
            for (int i = 0; i < expect.size(); i++) {
                seen[i] |= budget.find(expect.get(i), line);
            }
            if (unexpect.stream().anyMatch(p -> budget.find(p, line))) {
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

    private static double checkJson(String text, JsonNode rules) {
        JsonNode document;
        try {
            document = JSON.readTree(text);
        } catch (IOException e) {
            return 0.0; // not JSON: OSWorld's json.load raises and the task fails
        }
        if (document == null) {
            return 0.0;
        }
        RegexBudget budget = RegexBudget.start();
        for (JsonNode rule : rules.path("expect")) {
            if (!JsonRule.matches(at(document, rule.get("key")), rule, budget)) {
                return 0.0;
            }
        }
        for (JsonNode rule : rules.path("unexpect")) {
            if (JsonRule.matches(at(document, rule.get("key")), rule, budget)) {
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

    /** compare_text_file: ignore_blanks folds runs of white space to one space and strips; ignore_case lower-cases. */
    private static String normalised(String text, JsonNode options) {
        String out = text;
        if (options.path("ignore_blanks").asBoolean(false)) {
            out = out.replaceAll("[\\t\\n]", " ").strip().replaceAll("\\s+", " ");
        }
        if (options.path("ignore_case").asBoolean(false)) {
            out = out.toLowerCase(java.util.Locale.ROOT);
        }
        return out;
    }

    private static List<String> strings(JsonNode rules, String field) {
        JsonNode list = rules.get(field);
        List<String> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException("rules." + field + " must be a list of strings");
        }
        for (JsonNode item : list) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("rules." + field + " must be a list of strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static void jsonRules(JsonNode rules, String field) {
        JsonNode list = rules.get(field);
        if (list == null) {
            return;
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException("rules." + field + " must be a list of {key, method, ref}");
        }
        for (JsonNode rule : list) {
            if (!rule.isObject() || !rule.path("key").isArray() || !rule.has("ref")) {
                throw new IllegalArgumentException("rules." + field + " entries need key (a list) and ref");
            }
            JsonRule.check(rule);
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
        if (python.length() > RegexBudget.MAX_PATTERN_CHARS) {
            throw new IllegalArgumentException("a regular expression may have up to " + RegexBudget.MAX_PATTERN_CHARS
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

package io.envgrid.vmcontroller.evaluation;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The metric functions envgrid scores (OSWorld's desktop_env/evaluators/metrics, same names and arguments): each
 * takes the result getter's value and the expected getter's value, and the options named here.
 */
public enum Metric {
    /** {@code result == rules["expected"]}. */
    EXACT_MATCH("exact_match", Set.of()),
    /** Every {@code rules["include"]} string is in the result and no {@code rules["exclude"]} string is. */
    CHECK_INCLUDE_EXCLUDE("check_include_exclude", Set.of()),
    /** The result is one of the list {@code rules["expected"]}. */
    MATCH_IN_LIST("match_in_list", Set.of()),
    /** The string {@code rules["expected"]} occurs in the result. */
    IS_IN_LIST("is_in_list", Set.of()),
    /** rapidfuzz's {@code fuzz.ratio(result, rules["expected"]) / 100}: 2·LCS / (len(a) + len(b)). */
    FUZZY_MATCH("fuzzy_match", Set.of()),
    /** Each {@code rules["expect"]} regex matches some line of the file, no {@code rules["unexpect"]} one any line. */
    CHECK_LIST("check_list", Set.of()),
    /** The JSON file's values at {@code key} paths against {@code rules["expect"]} / {@code ["unexpect"]}. */
    CHECK_JSON("check_json", Set.of("is_yaml")),
    /** The two text files are equal, optionally ignoring blanks and case. */
    COMPARE_TEXT_FILE("compare_text_file", Set.of("ignore_blanks", "ignore_case")),
    /**
     * The accessibility tree (XML) has, for every rule of the list {@code rules}, an element its {@code xpath} selects,
     * whose text equals {@code text} ({@code exact}, the default) or the best fuzzy ratio of it; the score is the
     * product over the rules.
     */
    CHECK_ACCESSIBILITY_TREE("check_accessibility_tree", Set.of("osname"));

    private final String func;
    private final Set<String> options;

    Metric(String func, Set<String> options) {
        this.func = func;
        this.options = options;
    }

    /** The name in the task's {@code func}. */
    public String func() {
        return func;
    }

    /** The option names the function accepts (a task's other options are refused, as Python would). */
    public Set<String> options() {
        return options;
    }

    public static Optional<Metric> named(String func) {
        return Arrays.stream(values()).filter(m -> m.func.equals(func)).findFirst();
    }
}

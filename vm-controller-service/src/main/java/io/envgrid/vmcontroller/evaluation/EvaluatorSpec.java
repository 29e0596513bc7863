package io.envgrid.vmcontroller.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.vmcontroller.task.SetupStep;
import java.util.List;

/**
 * A checked OSWorld {@code evaluator} block: its {@code postconfig} steps, one {@link Check} per {@code func}
 * (a list of funcs pairs index by index with lists of {@code result}, {@code expected} and {@code options}), and
 * {@code conj} ({@code and}: every check must pass, the score is their mean; {@code or}: the best one).
 * {@code infeasible}: the block is OSWorld's {@code {"func": "infeasible"}}, which has no checks and scores the
 * agent's last action instead (see {@link Evaluator}).
 */
public record EvaluatorSpec(List<SetupStep> postconfig, List<Check> checks, boolean conjunction, boolean infeasible) {

    /** One metric with its getters and its options (an object, checked against {@link Metric#options()}). */
    public record Check(Metric metric, Getter result, Getter expected, JsonNode options) {
    }
}

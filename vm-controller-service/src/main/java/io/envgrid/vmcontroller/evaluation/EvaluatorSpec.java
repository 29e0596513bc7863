package io.envgrid.vmcontroller.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.vmcontroller.task.SetupStep;
import java.util.List;

/**
 * A checked OSWorld {@code evaluator} block: its {@code postconfig} steps, one {@link Check} per {@code func}
 * (a list of funcs pairs index by index with lists of {@code result}, {@code expected} and {@code options}), and
 * {@code conj} ({@code and}: every check must pass, the score is their mean; {@code or}: the best one).
 */
public record EvaluatorSpec(List<SetupStep> postconfig, List<Check> checks, boolean conjunction) {

    /** One metric with its getters; {@code expected} is null for metrics without one (none of the supported). */
    public record Check(Metric metric, Getter result, Getter expected, JsonNode options) {
    }
}

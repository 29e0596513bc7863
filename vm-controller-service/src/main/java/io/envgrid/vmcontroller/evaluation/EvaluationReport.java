package io.envgrid.vmcontroller.evaluation;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.envgrid.vmcontroller.task.SetupReport;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The answer of an evaluation: {@code score} in [0, 1] (OSWorld's {@code DesktopEnv.evaluate}), {@code conj}, each
 * metric's own score and why a getter had no value, the postconfig's steps, and {@code reason} when the score was
 * decided without the metrics (a failed postconfig step, an infeasible task, a last action {@code FAIL}).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationReport(double score, String conj, List<MetricScore> metrics, SetupReport postconfig,
        String reason) {

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    /**
     * One check: {@code absent} says why a getter had no value, {@code reason} why the value could not be judged
     * (the desktop's content was outside a metric's bounds: {@link Unscorable}; or the evaluation's work budget was
     * spent, by this check or one before it, which then ran nothing); either way the score is 0.
     */
    public record MetricScore(String func, String result, String expected, double score, String absent,
            String reason) {

        public MetricScore(String func, String result, String expected, double score, String absent) {
            this(func, result, expected, score, absent, null);
        }
    }
}

package io.envgrid.vmcontroller.evaluation;

import io.envgrid.vmcontroller.config.VmControllerConfig;
import io.envgrid.vmcontroller.error.ErrorCode;
import io.envgrid.vmcontroller.task.SetupReport;
import io.envgrid.vmcontroller.task.TaskSetup;
import io.envgrid.vmcontroller.vm.Deadline;
import io.envgrid.vmcontroller.vm.ExecResult;
import io.envgrid.vmcontroller.vm.OsWorldClient;
import io.envgrid.vmcontroller.vm.VmAddress;
import io.envgrid.vmcontroller.vm.VmCallException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.envgrid.vmcontroller.vm.ScreenSize;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs a checked evaluator on a desktop as OSWorld's {@code DesktopEnv.evaluate} does: the postconfig steps first
 * (a failed one scores 0: the state to judge was never reached), then each check's getters and metric, combined by
 * {@code conj}. A getter that finds nothing (a missing file, a desktop refusal) gives no value and its metric 0, as
 * OSWorld's getters return {@code None}; a desktop that cannot be reached fails the call (5xx), it is not a 0. One
 * call costs at most one {@link EvaluationBudget} of work and one {@link Deadline} of wall-clock time.
 */
@ApplicationScoped
public class Evaluator {

    private final OsWorldClient vms;
    private final TaskSetup setup;
    /** The wall-clock time of one evaluation ({@code envgrid.vm-controller.evaluation.deadline}). */
    private final Duration deadline;

    @Inject
    public Evaluator(OsWorldClient vms, TaskSetup setup, VmControllerConfig config) {
        this(vms, setup, config.evaluation().deadline());
    }

    Evaluator(OsWorldClient vms, TaskSetup setup, Duration deadline) {
        this.vms = vms;
        this.setup = setup;
        this.deadline = deadline;
    }

    /**
     * Scores the desktop {@code vm} gives with {@code spec}. {@code vm} is asked again before the postconfig steps and
     * every getter: it re-checks the session and lease and throws once the lease has ended, so nothing is read from a
     * desktop that has passed to the next tenant. {@code gaveUp}: the session's last action was {@code FAIL}; as in
     * OSWorld's {@code DesktopEnv.evaluate}, an {@code infeasible} task scores 1 exactly then, any other task 0 then
     * (after the postconfig, which runs either way). All checks share one {@link EvaluationBudget}, and the postconfig
     * and every getter one {@link Deadline} of the configured length, starting now.
     */
    public EvaluationReport evaluate(Supplier<VmAddress> vm, EvaluatorSpec spec, boolean gaveUp) {
        return evaluate(vm, spec, gaveUp, new EvaluationBudget(), Deadline.in(deadline));
    }

    /**
     * {@link #evaluate(Supplier, EvaluatorSpec, boolean)} charging {@code budget} and bounded by {@code until}: each
     * check is charged {@link EvaluationBudget#STEPS_PER_METRIC} before its getters run, then the characters each
     * getter read from the desktop, then its metric's own work. A check that runs the budget out, or during which the
     * deadline passes (a getter running then is given the time left, no more), scores 0 with the budget or the
     * deadline as its {@code reason}, and so does every check after it, unrun and with nothing read from the
     * desktop; the checks before it keep their scores, combined by {@code conj} as ever.
     */
    EvaluationReport evaluate(Supplier<VmAddress> vm, EvaluatorSpec spec, boolean gaveUp, EvaluationBudget budget,
            Deadline until) {
        String conj = spec.conjunction() ? "and" : "or";
        SetupReport post = spec.postconfig().isEmpty() ? null : setup.run(vm, spec.postconfig(), until);
        if (post != null && !post.status().equals("success")) {
            return new EvaluationReport(0.0, conj, List.of(), post, "a postconfig step failed");
        }
        if (spec.infeasible()) {
            return new EvaluationReport(gaveUp ? 1.0 : 0.0, conj, List.of(), post, gaveUp
                    ? "infeasible: the last action was FAIL" : "infeasible: the last action was not FAIL");
        }
        if (gaveUp) {
            return new EvaluationReport(0.0, conj, List.of(), post, "the last action was FAIL on a feasible task");
        }
        List<EvaluationReport.MetricScore> scores = new ArrayList<>();
        for (EvaluatorSpec.Check check : spec.checks()) {
            Value result = null;
            Value expected = null;
            double score = 0.0;
            String unscorable = null;
            if (budget.exhausted()) {
                unscorable = budget.reason(); // the evaluation's work is spent: this check is not run at all
            } else if (until.passed()) {
                unscorable = until.reason(); // the evaluation's time is spent: nothing more is read from the desktop
            } else {
                try {
                    budget.charge(EvaluationBudget.STEPS_PER_METRIC);
                    result = get(vm, check.result(), budget, until);
                    expected = check.expected() == null ? null : get(vm, check.expected(), budget, until);
                    score = Metrics.score(check.metric(), result, expected, check.options(), budget);
                } catch (Unscorable | EvaluationBudget.OutOfSteps | VmCallException.DeadlinePassed e) {
                    score = 0.0; // the worker's desktop holds what no metric should chew on: its task failed
                    unscorable = e.getMessage();
                }
            }
            String absent = result instanceof Value.Absent a ? a.reason()
                    : expected instanceof Value.Absent a ? a.reason() : null;
            scores.add(new EvaluationReport.MetricScore(check.metric().func(), check.result().type(),
                    check.expected() == null ? null : check.expected().type(), score, absent, unscorable));
        }
        return new EvaluationReport(combine(scores, spec.conjunction()), conj, scores, post, null);
    }

    /** OSWorld: {@code and} is 0 if any check is 0, else the mean; {@code or} is the best score. */
    static double combine(List<EvaluationReport.MetricScore> scores, boolean conjunction) {
        double best = 0;
        double sum = 0;
        for (EvaluationReport.MetricScore s : scores) {
            if (conjunction && s.score() == 0.0) {
                return 0.0;
            }
            best = Math.max(best, s.score());
            sum += s.score();
        }
        return conjunction ? sum / scores.size() : best;
    }

    /**
     * The getter's value; one read from the desktop is charged its length (bytes of a file, characters of text or of
     * JSON) to {@code budget}: every check reads its own values afresh, and the metric's linear passes over them
     * (decoding, parsing, equality) are of that size.
     */
    private Value get(Supplier<VmAddress> desktop, Getter getter, EvaluationBudget budget, Deadline until) {
        if (getter instanceof Getter.Rule rule) {
            return new Value.Json(rule.rules()); // read from the task, not the desktop
        }
        Value value = read(vms.within(until), desktop.get(), getter);
        String text = value instanceof Value.File || value instanceof Value.Absent ? null : value.text();
        budget.chargeChars(value instanceof Value.File file ? file.content().length : text == null ? 0 : text.length());
        return value;
    }

    private static Value read(OsWorldClient vms, VmAddress vm, Getter getter) {
        try {
            if (getter instanceof Getter.VmFile file) {
                return new Value.File(file.path(), vms.file(vm, file.path()));
            }
            if (getter instanceof Getter.VmCommand command) {
                ExecResult result = vms.execute(vm, command.command(), command.shell());
                String text = command.standardError() ? result.error() : result.output();
                return text == null ? new Value.Absent(command.type() + ": the desktop answered no output")
                        : new Value.Text(text);
            }
            if (getter instanceof Getter.DesktopRead read) {
                if (read.type().equals(Getter.DesktopRead.SCREEN_SIZE)) {
                    ScreenSize size = vms.screenSize(vm);
                    return new Value.Json(JsonNodeFactory.instance.objectNode().put("width", size.width())
                            .put("height", size.height()));
                }
                return new Value.Text(vms.accessibilityTree(vm));
            }
            JsonNode answer = vms.listDirectory(vm, ((Getter.ListDirectory) getter).path());
            return new Value.Json(answer.has("directory_tree") ? answer.get("directory_tree") : answer);
        } catch (VmCallException.Refused e) {
            if (e.status() != 400 && e.status() != 404 && !e.code().equals(ErrorCode.ANSWER_TOO_LARGE)) {
                throw e; // the lease ended, a rate limit, a timeout: not a judgement of the task
            }
            // ANSWER_TOO_LARGE: the file or output the worker left is more than the controller reads; its task fails
            return new Value.Absent(getter.type() + ": " + e.getMessage());
        }
    }
}

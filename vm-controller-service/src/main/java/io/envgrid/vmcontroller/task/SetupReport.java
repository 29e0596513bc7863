package io.envgrid.vmcontroller.task;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The answer of a task set-up: {@code status} {@code success} when every step ran, {@code failed} when one failed (the
 * steps after it are {@code not_run}), {@code checked} when the steps were only checked; one {@link StepOutcome} per
 * step, in order.
 */
@RegisterForReflection
public record SetupReport(String status, List<StepOutcome> steps) {
}

package io.envgrid.vmcontroller.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What one set-up step did: {@code status} is {@code ok}, {@code failed} (the desktop refused or could not be
 * reached; {@code message} says why, {@code code} is the envelope code the call would have had) or {@code not_run}
 * (an earlier step failed). {@code returncode} is the exit status of an {@code execute}/{@code command} step: OSWorld
 * does not fail a step on it, neither does envgrid, but it is reported.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepOutcome(int index, String type, String status, String message, String code, Integer returncode,
        long durationMs) {

    public static final String OK = "ok";
    public static final String FAILED = "failed";
    public static final String NOT_RUN = "not_run";
}

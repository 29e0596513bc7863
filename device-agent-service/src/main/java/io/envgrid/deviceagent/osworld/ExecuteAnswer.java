package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.process.ProcessOutcome;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** OSWorld's answer to {@code /execute}: {@code {"status", "output", "error", "returncode"}}. */
@RegisterForReflection
public record ExecuteAnswer(String status, String output, String error, int returncode) {

    /** A process that ran reports success with its exit code, as OSWorld's server does. */
    static ExecuteAnswer of(ProcessOutcome outcome) {
        if (outcome.timedOut()) {
            return new ExecuteAnswer("error", outcome.stdoutText(), "timed out; the process was killed", -1);
        }
        return new ExecuteAnswer("success", outcome.stdoutText(), outcome.stderr(), outcome.exitCode());
    }
}

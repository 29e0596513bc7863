package io.envgrid.vmcontroller.evaluation;

/**
 * The desktop's content is outside what a metric evaluates (a tree too large or too deep, a DTD, work past the
 * evaluation's {@link EvaluationBudget}, a file larger than the controller reads): the check scores 0 and reports {@link #getMessage()}
 * as its reason. What the worker left on its desktop fails its task; it is never the controller's 5xx.
 */
public final class Unscorable extends RuntimeException {

    public Unscorable(String reason) {
        super(reason, null, false, false); // an expected outcome: no stack trace
    }
}

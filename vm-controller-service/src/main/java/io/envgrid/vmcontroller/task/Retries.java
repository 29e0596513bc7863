package io.envgrid.vmcontroller.task;

import io.envgrid.vmcontroller.vm.Deadline;
import io.envgrid.vmcontroller.vm.ExecResult;
import io.envgrid.vmcontroller.vm.OsWorldClient;
import io.envgrid.vmcontroller.vm.VmAddress;
import io.envgrid.vmcontroller.vm.VmCallException;
import java.util.function.Supplier;

/**
 * An {@code execute} step with {@code until}, as OSWorld's {@code _execute_setup} runs it: the command again every
 * {@link SetupStep.Until#INTERVAL} until an answer meets the condition; {@link SetupStep.Until#MAX_FAILED_REQUESTS}
 * failed requests fail the step (the last failure is thrown). Unlike OSWorld, which retries for ever while the desktop
 * answers, envgrid stops after {@link SetupStep.Until#LIMIT}.
 */
final class Retries {

    private Retries() {
    }

    /**
     * The first answer that meets the step's condition, or null when none did within the limit or before
     * {@code stop} (the evaluation's deadline, which {@code vms} is bounded by too: a call it cuts short is thrown at
     * once, not counted as a failed request). The desktop is asked again from {@code desktop} before every try, which
     * re-checks the lease: a set-up never goes on for the next tenant.
     */
    static ExecResult until(OsWorldClient vms, Supplier<VmAddress> desktop, SetupStep.Execute step, Deadline stop)
            throws InterruptedException {
        long deadline = System.nanoTime() + stop.cap(SetupStep.Until.LIMIT).toNanos();
        int failures = 0;
        while (true) {
            try {
                ExecResult result = vms.setupExecute(desktop.get(), step.command(), step.shell());
                if (step.until().metBy(result.returncode(), result.output(), result.error())) {
                    return result;
                }
            } catch (VmCallException e) {
                if (e instanceof VmCallException.DeadlinePassed || ++failures >= SetupStep.Until.MAX_FAILED_REQUESTS) {
                    throw e;
                }
            }
            if (System.nanoTime() + SetupStep.Until.INTERVAL.toNanos() > deadline) {
                return null;
            }
            Thread.sleep(SetupStep.Until.INTERVAL.toMillis());
        }
    }
}

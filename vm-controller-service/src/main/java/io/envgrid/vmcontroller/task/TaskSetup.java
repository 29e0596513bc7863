package io.envgrid.vmcontroller.task;

import io.envgrid.vmcontroller.error.ErrorCode;
import io.envgrid.vmcontroller.vm.Deadline;
import io.envgrid.vmcontroller.vm.ExecResult;
import io.envgrid.vmcontroller.vm.OsWorldClient;
import io.envgrid.vmcontroller.vm.VmAddress;
import io.envgrid.vmcontroller.vm.VmCallException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs an OSWorld task's checked {@code config} steps on a desktop, in order, as OSWorld's {@code SetupController}
 * does, and stops at the first step the desktop refuses or cannot serve (OSWorld logs some of those and goes on;
 * a half set-up task is not worth acting on, so envgrid reports it instead).
 */
@ApplicationScoped
public class TaskSetup {

    private final OsWorldClient vms;

    public TaskSetup(OsWorldClient vms) {
        this.vms = vms;
    }

    /**
     * Runs {@code steps} on the desktop {@code vm} gives; never throws for a step's failure, which is in the report.
     * {@code vm} is asked again before every step: it re-checks the session and lease and throws (the caller's
     * {@code ApiException}) once the lease has ended, so a long set-up never runs its later steps for the next tenant.
     * Every desktop call, {@code until} loop and {@code sleep} ends by {@code deadline} (the evaluation's, for a
     * postconfig; {@link Deadline#NONE} for a set-up): the step running then fails with the deadline as its message.
     */
    public SetupReport run(Supplier<VmAddress> vm, List<SetupStep> steps, Deadline deadline) {
        OsWorldClient client = vms.within(deadline);
        List<StepOutcome> outcomes = new ArrayList<>();
        boolean failed = false;
        for (int i = 0; i < steps.size(); i++) {
            SetupStep step = steps.get(i);
            if (failed) {
                outcomes.add(new StepOutcome(i, step.type(), StepOutcome.NOT_RUN, null, null, null, 0));
                continue;
            }
            StepOutcome outcome = runOne(client, deadline, vm, i, step);
            failed = outcome.status().equals(StepOutcome.FAILED);
            outcomes.add(outcome);
        }
        return new SetupReport(failed ? "failed" : "success", outcomes);
    }

    private static StepOutcome runOne(OsWorldClient vms, Deadline deadline, Supplier<VmAddress> desktop, int index,
            SetupStep step) {
        long start = System.nanoTime();
        try {
            VmAddress vm = desktop.get();
            Integer returncode = null;
            String message;
            if (step instanceof SetupStep.Launch launch) {
                message = vms.launch(vm, launch.command(), launch.shell());
            } else if (step instanceof SetupStep.Execute execute) {
                ExecResult result = execute.until() == null ? vms.setupExecute(vm, execute.command(), execute.shell())
                        : Retries.until(vms, desktop, execute, deadline);
                if (result == null) {
                    return new StepOutcome(index, step.type(), StepOutcome.FAILED, deadline.passed() ? deadline.reason()
                            : "until was not met within " + SetupStep.Until.LIMIT.toSeconds() + " s",
                            ErrorCode.COMMAND_TIMEOUT, null, millis(start));
                }
                returncode = result.returncode();
                message = result.error() == null || result.error().isBlank() ? result.output() : result.error();
            } else if (step instanceof SetupStep.Open open) {
                message = vms.openFile(vm, open.path());
            } else if (step instanceof SetupStep.ChangeWallpaper wallpaper) {
                message = vms.changeWallpaper(vm, wallpaper.path());
            } else if (step instanceof SetupStep.Download download) {
                for (SetupStep.FileToPlace file : download.files()) {
                    vms.upload(vm, file.path(), file.content());
                }
                message = download.files().size() + " file(s) placed";
            } else if (step instanceof SetupStep.Sleep sleep) {
                Duration allowed = deadline.cap(sleep.duration());
                Thread.sleep(Math.max(0, allowed.toMillis()));
                if (allowed.compareTo(sleep.duration()) < 0) {
                    return new StepOutcome(index, step.type(), StepOutcome.FAILED, deadline.reason(),
                            ErrorCode.COMMAND_TIMEOUT, null, millis(start));
                }
                message = "slept " + sleep.duration().toMillis() + " ms";
            } else {
                SetupStep.Window window = (SetupStep.Window) step;
                message = vms.window(vm, window.endpoint(), window.windowName(), window.strict(), window.byClass());
            }
            return new StepOutcome(index, step.type(), StepOutcome.OK, trimmed(message), null, returncode, millis(start));
        } catch (VmCallException.Refused e) {
            return new StepOutcome(index, step.type(), StepOutcome.FAILED, e.getMessage(), e.code(), null, millis(start));
        } catch (VmCallException.DeadlinePassed e) {
            return new StepOutcome(index, step.type(), StepOutcome.FAILED, e.getMessage(), ErrorCode.COMMAND_TIMEOUT,
                    null, millis(start));
        } catch (VmCallException e) {
            return new StepOutcome(index, step.type(), StepOutcome.FAILED, e.getMessage(), ErrorCode.VM_ERROR, null,
                    millis(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StepOutcome(index, step.type(), StepOutcome.FAILED, "interrupted", ErrorCode.INTERNAL_ERROR,
                    null, millis(start));
        }
    }

    /** A desktop's answer line can be long (a command's output); the report keeps its start. */
    private static String trimmed(String message) {
        if (message == null) {
            return "";
        }
        String line = message.strip();
        return line.length() <= 500 ? line : line.substring(0, 500) + "...";
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}

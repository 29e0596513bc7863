package io.envgrid.vmcontroller.action;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.vm.ExecResult;
import io.envgrid.vmcontroller.vm.OsWorldClient;
import io.envgrid.vmcontroller.vm.VmCallException;
import io.envgrid.vmcontroller.vm.VmAddress;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Runs actions of both OSWorld action spaces on a VM, the way OSWorld's DesktopEnv.step does. */
@ApplicationScoped
public class ActionRunner {

    /** In the pyautogui space these words are answers for the caller, not code (DesktopEnv.step). */
    private static final Set<String> LOCAL_WORDS = Set.of("WAIT", "FAIL", "DONE");

    private final OsWorldClient vms;
    private final Computer13Translator computer13;

    public ActionRunner(OsWorldClient vms, Computer13Translator computer13) {
        this.vms = vms;
        this.computer13 = computer13;
    }

    /** Validates the action before any call, so a bad action never reaches the VM. */
    public Computer13Action parseComputer13(JsonNode action) {
        return computer13.translate(action);
    }

    public ActionResult runComputer13(VmAddress vm, Computer13Action action) {
        if (action instanceof Computer13Action.Remote remote) {
            return run(vm, remote.type().name(), remote.code());
        }
        return new ActionResult(action.type().name(), false, List.of(), List.of());
    }

    /**
     * Refuses with 400 {@code INVALID_ACTION}, before anything is sent, pyautogui code the VM could only
     * fail on: none or blank, a NUL character (it cannot be passed to {@code python -c}), or a sleep of a
     * negative literal length ({@link SleepCheck}).
     */
    public static void checkPyautogui(String code) {
        if (code == null || code.isBlank()) {
            throw ApiException.invalidAction("code must be a non-empty Python string");
        }
        if (code.indexOf('\0') >= 0) {
            throw ApiException.invalidAction("code must not contain a NUL character (Python source cannot)");
        }
        SleepCheck.negativeSleep(code).ifPresent(call -> {
            throw ApiException.invalidAction("`" + call + "`: sleep length must be non-negative");
        });
    }

    public ActionResult runPyautogui(VmAddress vm, String code) {
        String trimmed = code.trim();
        if (LOCAL_WORDS.contains(trimmed)) {
            return new ActionResult(trimmed, false, List.of(), List.of());
        }
        return run(vm, "pyautogui", List.of(code));
    }

    /** Whether {@code result} is OSWorld's {@code FAIL}: the agent declares the task infeasible (nothing is sent). */
    public static boolean isFail(ActionResult result) {
        return !result.sentToVm() && "FAIL".equals(result.actionType());
    }

    private ActionResult run(VmAddress vm, String actionType, List<String> code) {
        List<ExecResult> results = new ArrayList<>(code.size());
        for (String snippet : code) {
            try {
                results.add(vms.execute(vm, PyautoguiCommand.of(snippet), false));
            } catch (VmCallException.Refused refused) {
                throw refused.ofAction(); // the desktop refused the action itself: INVALID_ACTION
            }
        }
        return new ActionResult(actionType, true, code, results);
    }
}

package io.envgrid.deviceagent.pyautogui;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import io.envgrid.deviceagent.x11.XDisplay;
import io.envgrid.deviceagent.x11.XInput;
import io.envgrid.pyautogui.DesktopAction;
import io.envgrid.pyautogui.PyautoguiCompiler;
import io.envgrid.pyautogui.PythonSubsetException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * pyautogui commands as OSWorld's controller sends them ({@code ["python", "-c", "import pyautogui; ..."]}):
 * run by the host's Python when it has pyautogui, otherwise by the agent itself through the
 * {@link PyautoguiCompiler} subset (the shared {@code pyautogui-subset} module, the same compiler the gateway
 * checks code with), played on the display by an {@link XActionPerformer}, so a bare Linux host with an X display
 * can still be driven. The subset's waits (sleeps, intervals) together must fit {@code execute-timeout}.
 */
@ApplicationScoped
public class PyautoguiRunner {

    private static final Logger LOG = Logger.getLogger(PyautoguiRunner.class);
    private static final List<String> PYTHONS = List.of("python", "python3");

    private final XActionPerformer performer;
    private final XDisplay display;
    private final String python;
    private final Duration timeout;
    private volatile Boolean hostHasPyautogui;
    private final WorkerExec workers;

    public PyautoguiRunner(XInput input, XDisplay display, DeviceAgentConfig config, WorkerExec workers) {
        this.workers = workers;
        this.performer = new XActionPerformer(input);
        this.display = display;
        this.python = config.desktop().python();
        this.timeout = config.desktop().executeTimeout();
    }

    /** The code of a {@code python -c} command that uses pyautogui, if that is what this command is. */
    public static Optional<String> pyautoguiCode(List<String> command) {
        if (command.size() == 3 && PYTHONS.contains(command.get(0)) && command.get(1).equals("-c")
                && command.get(2).contains("pyautogui")) {
            return Optional.of(command.get(2));
        }
        return Optional.empty();
    }

    /** Runs it with the host's Python when that has pyautogui, else with the agent's interpreter. */
    public PyautoguiOutcome run(String code) {
        if (hostHasPyautogui()) {
            ProcessOutcome outcome = HostProcesses.run(workers.command(List.of(python, "-c", code)), null,
                    workers.environment(display.environment()), timeout);
            return new PyautoguiOutcome.RanByHostPython(outcome);
        }
        PyautoguiCompiler.Program program;
        try {
            program = PyautoguiCompiler.compile(code, timeout);
        } catch (PythonSubsetException e) {
            return new PyautoguiOutcome.Refused(e.getMessage());
        }
        try {
            for (DesktopAction action : program.actions()) {
                if (Thread.currentThread().isInterrupted()) {
                    // the call was cut off (its desktop is being reset): not one more event, sleep or not
                    throw new InterruptedException();
                }
                action.performWith(performer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PyautoguiOutcome.Interrupted();
        }
        return new PyautoguiOutcome.Performed(program.warnings());
    }

    private boolean hostHasPyautogui() {
        Boolean known = hostHasPyautogui;
        if (known == null) {
            try {
                // as the worker too: an import that opens the display reads what any client of it may have set
                known = HostProcesses.run(workers.command(List.of(python, "-c", "import pyautogui")), null,
                        workers.environment(display.environment()), Duration.ofSeconds(20)).succeeded();
            } catch (java.io.UncheckedIOException e) {
                known = false;
            }
            LOG.infof("pyautogui commands run %s", known ? "with the host's Python" : "by the agent's own interpreter");
            hostHasPyautogui = known;
        }
        return known;
    }
}

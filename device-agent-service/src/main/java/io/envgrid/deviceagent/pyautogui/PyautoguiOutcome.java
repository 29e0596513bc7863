package io.envgrid.deviceagent.pyautogui;

import io.envgrid.deviceagent.process.ProcessOutcome;
import java.util.List;

/** How a pyautogui program ended: run by the host's Python, or by the agent's own interpreter. */
public sealed interface PyautoguiOutcome {

    /** The host's Python (which has pyautogui) ran it; its exit code, output and time-out are the process's. */
    record RanByHostPython(ProcessOutcome process) implements PyautoguiOutcome {
    }

    /**
     * The agent's interpreter performed every statement; {@code warnings} (one line each, naming line and column)
     * say what pyautogui would have skipped silently, such as a key name it does not know.
     */
    record Performed(List<String> warnings) implements PyautoguiOutcome {
    }

    /** The agent's interpreter refused the program before any statement ran; {@code reason} names the statement. */
    record Refused(String reason) implements PyautoguiOutcome {
    }

    /** The thread was interrupted part-way (the agent is stopping). */
    record Interrupted() implements PyautoguiOutcome {
    }
}

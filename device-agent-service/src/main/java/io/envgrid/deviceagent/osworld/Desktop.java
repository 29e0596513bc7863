package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.exec.WorkerFiles;
import io.envgrid.deviceagent.pyautogui.PyautoguiRunner;
import io.envgrid.deviceagent.x11.ScreenCapture;
import io.envgrid.deviceagent.x11.XDisplay;
import io.envgrid.deviceagent.x11.XInput;
import java.nio.file.Path;

/**
 * Everything one desktop's OSWorld routes act on: its X display (input, screen, accessibility tree, windows), the user its
 * commands and file reads run as, its recorder, the allocator resource whose live lease opens it, and the gate its calls
 * pass and its reset closes ({@link DesktopGate}). The agent serves
 * one per desktop it hosts ({@code fleet/}) or the one attached display; {@link DesktopRouting} picks the request's.
 *
 * @param name what routes to it: {@code "0"}, {@code "1"}, … ({@link DesktopRouting#DESKTOP_HEADER})
 */
public record Desktop(String name, String resourceId, XDisplay display, XInput input, ScreenCapture screen,
        AccessibilityTree accessibility, DesktopCommands commands, ScreenRecorder recorder, WorkerFiles files,
        WorkerExec workers, DesktopWindows windows, DesktopGate gate) {

    /** A hosted desktop's services on its own display, run as its own user, recording into {@code recording}. */
    public static Desktop of(String name, String resourceId, XDisplay display, WorkerExec workers, Path recording,
            DeviceAgentConfig config) {
        XInput input = new XInput(display);
        PyautoguiRunner pyautogui = new PyautoguiRunner(input, display, config, workers);
        DesktopCommands commands = new DesktopCommands(display, pyautogui, config, workers);
        return new Desktop(name, resourceId, display, input, new ScreenCapture(display),
                new AccessibilityTree(display, input, config, workers), commands, new ScreenRecorder(display, input, recording, config, workers::inCgroup),
                new WorkerFiles(workers), workers, new DesktopWindows(display, workers, config, commands), new DesktopGate());
    }
}

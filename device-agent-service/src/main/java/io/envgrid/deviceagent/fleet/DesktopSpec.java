package io.envgrid.deviceagent.fleet;

import java.nio.file.Path;

/**
 * Where one hosted desktop lives: everything derived from its index and the {@code envgrid.device-agent.desktops.*}
 * settings, so two desktops of one agent share none of it. Its X display is not among them: the X server picks a free
 * one at every start ({@link DisplayServer}).
 *
 * @param index 0 … count-1; also the name that routes to it ({@code X-Envgrid-Desktop})
 * @param resourceId its allocator resource, {@code <agent id>:desktop-<index>}
 * @param port the port its OSWorld endpoint is served on
 * @param uid the uid (and gid) its commands run as when the agent is root
 * @param home its worker's home directory, restored from the template at every reset
 * @param runDir the agent's files for it: the X cookie, the X server's log, the recording
 */
public record DesktopSpec(int index, String resourceId, int port, int uid, Path home, Path runDir) {

    /** The Xauthority file holding this display's cookie. */
    public Path xauthority() {
        return runDir.resolve("Xauthority");
    }

    /** Where its screen recording is written while it runs. */
    public Path recording() {
        return runDir.resolve("recording.mp4");
    }
}

package io.envgrid.deviceagent.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the test JVM (and so the agent it starts in process) may do on this host. */
public final class AgentPrivileges {

    private AgentPrivileges() {
    }

    /** Whether this process runs as root (the owner of {@code /proc/self}): user switches, cgroups, namespaces. */
    public static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}

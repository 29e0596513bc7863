package io.envgrid.deviceagent.support;

import java.util.Optional;
import java.util.UUID;

/**
 * Processes a test starts through a worker's shell with a marker in their command line (a {@code # <marker>} comment in
 * a {@code sh -c} loop), so that the test can tell whether they still run after a reset and end them whatever happens.
 */
public final class MarkedProcesses {

    private MarkedProcesses() {
    }

    /** A new marker: {@code prefix} and 12 random hex digits, so that concurrent or repeated runs never share one. */
    public static String newMarker(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** A live process of any uid whose command line holds {@code marker}, if any. */
    public static Optional<ProcessHandle> find(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.isAlive() && p.info().commandLine().orElse("")
                .contains(marker)).findFirst();
    }

    /** Whether a process whose command line holds {@code marker} still runs. */
    public static boolean running(String marker) {
        return find(marker).isPresent();
    }

    /** SIGKILLs every process whose command line holds {@code marker} (a test's clean-up; the agent's root may). */
    public static void kill(String marker) {
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker))
                .forEach(ProcessHandle::destroyForcibly);
    }
}

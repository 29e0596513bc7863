package io.envgrid.deviceagent.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Resource limits put on every process a hosted desktop's worker runs ({@code envgrid.device-agent.desktops.limits.*}):
 * soft and hard alike, so the worker (no longer root, {@code --no-new-privs}) cannot raise them again.
 *
 * <p>Set with util-linux {@code prlimit}, which sets them on itself and then starts {@code setpriv}: the limits survive
 * both the exec and the uid switch. RLIMIT_NPROC works on every host because the kernel counts it per real uid and each
 * desktop has a uid of its own, so with the limit on every process of the uid it bounds the uid's total; where the host
 * has a usable memory controller the desktop's control group bounds memory and pids as well
 * ({@link io.envgrid.deviceagent.cgroup.DesktopCgroup}, joined before these limits are set).
 *
 * @param maxProcesses RLIMIT_NPROC: processes and threads of the uid, counted together by the kernel
 * @param maxOpenFiles RLIMIT_NOFILE: open descriptors of one process
 */
public record WorkerLimits(int maxProcesses, int maxOpenFiles) {

    private static final List<Path> PRLIMIT = List.of(Path.of("/usr/bin/prlimit"), Path.of("/bin/prlimit"));

    public WorkerLimits {
        if (maxProcesses < 1 || maxOpenFiles < 1) {
            throw new IllegalArgumentException("envgrid.device-agent.desktops.limits: max-processes and max-open-files "
                    + "must be at least 1 (got " + maxProcesses + ", " + maxOpenFiles + ")");
        }
    }

    /**
     * The words that start a command under these limits; core dumps are off too (RLIMIT_CORE 0), because a core holds
     * the worker's memory, would be written where the agent never cleans, and nobody reads it.
     */
    List<String> prefix() {
        Path prlimit = PRLIMIT.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException(
                "prlimit (util-linux) not found in " + PRLIMIT + ": the desktops' workers cannot be given their limits"));
        return List.of(prlimit.toString(), "--nproc=" + maxProcesses, "--nofile=" + maxOpenFiles, "--core=0", "--");
    }
}

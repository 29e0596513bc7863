package io.envgrid.deviceagent.exec;

import java.util.List;

/**
 * Where the exec user's commands (the attached desktop's workers, {@link WorkerExec}'s own bean) run on the network:
 * the words that enter that network namespace, put in front of every such command after its control-group join and
 * before its user switch. Implemented by the attached desktop ({@code fleet/AttachedDesktop}), which makes the
 * namespace and renews it at every reset; the interface keeps {@code exec} below {@code fleet}.
 */
public interface ExecUserNetwork {

    /** {@code nsenter --net=<file> --}, or empty for the host's namespace. */
    List<String> enterPrefix();
}

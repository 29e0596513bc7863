package io.envgrid.deviceagent.exec;

import java.util.List;
import java.util.Optional;

/**
 * Where the exec user's commands (the attached desktop's workers, {@link WorkerExec}'s own bean) run: the words that
 * enter their namespaces — the attached desktop's network namespace, then its disk's mount namespace, where their
 * {@code /tmp} is a bounded file system of their own — put in front of every such command after its control-group join
 * and before its user switch, and where that {@code /tmp} is for the agent. Implemented by the attached desktop
 * ({@code fleet/AttachedDesktop}), which makes the namespaces and renews them at every reset; the interface keeps
 * {@code exec} below {@code fleet}.
 */
public interface ExecUserNamespaces {

    /** {@code nsenter --net=<file> --} and {@code nsenter --mount=<file> --wdns=<dir> --}, or empty for the host's. */
    List<String> enterPrefix();

    /** Where the commands' own {@code /tmp} is, when the mount namespace gives them one; empty: the host's. */
    Optional<WorkerExec.Scratch> scratch();
}

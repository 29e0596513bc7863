package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The network namespace a hosted desktop's programs run in ({@code envgrid.device-agent.desktops.network}), the
 * host device's commands ({@link HostDevice}, {@code envgrid.device-agent.linux-host.network}) and the attached
 * desktop's ({@link AttachedDesktop}, {@code envgrid.device-agent.desktop.network}), with the same steps.
 *
 * <p>{@code private}: a named namespace of the desktop's own ({@code ip netns add}, so {@code /run/netns/<name>}),
 * with only {@code lo}, up. The window manager, start-up programs and every worker command enter it before their
 * limits and user switch ({@link #enterPrefix()}: {@code nsenter --net=/run/netns/<name> --}), so a desktop's
 * loopback listeners and abstract unix socket names (X's {@code @/tmp/.X11-unix/X<n>}, D-Bus's) are its own: another
 * desktop's programs (nor the host device's) can neither reach nor squat them, nor reach the host's loopback (the
 * agent's ports, other desktops' browsers). Made anew at every reset, so no address or socket of a former worker
 * carries over.
 *
 * <p>{@code outbound}: the same, with a route out ({@link DesktopRouteOut}) and a {@code resolv.conf} of the
 * desktop's own naming only slirp4netns' DNS forwarder ({@link DesktopRouteOut#NAMESERVER}): the host's nameservers
 * are out of the desktop's reach like any blocked address. A network namespace does not change which
 * {@code /etc/resolv.conf} a process reads, so {@link #resolverPrefix()} also puts every command of the desktop in a
 * mount namespace of its own ({@code unshare --mount --propagation slave}: mounts of the host still reach it, none of
 * its goes back) where {@code /etc/netns/<name>/resolv.conf} (iproute2's place for it, so {@code ip netns exec} sees
 * the same) is bound on {@code /etc/resolv.conf}, before its limits and user switch, as root. Those words are apart
 * from {@link #enterPrefix()} because they must come after any other mount namespace the command enters (the
 * desktop's disk, {@link DesktopDisk}): a {@code setns} into that one leaves the binding behind.
 *
 * <p>{@code shared}: the host's namespace, as before; {@link #enterPrefix()} is empty and nothing is made.
 *
 * <p>Names are {@code envgrid-<12 hex digits of the agent id's SHA-256>-<desktop index>}, and
 * {@code envgrid-<…>-host} for the host device, {@code envgrid-<…>-attached} for the attached desktop: an agent
 * finds the namespaces a former run of itself left (SIGKILL) by
 * that prefix and removes them at start, and never touches another agent's on the same host.
 */
final class DesktopNetwork {

    private static final Logger LOG = Logger.getLogger(DesktopNetwork.class);
    /** Where {@code ip netns} keeps its named namespaces (bind mounts of {@code nsfs}). */
    static final Path NAMESPACES = Path.of("/run/netns");
    private static final List<Path> IP = List.of(Path.of("/usr/sbin/ip"), Path.of("/sbin/ip"), Path.of("/usr/bin/ip"),
            Path.of("/bin/ip"));
    private static final List<Path> NSENTER = List.of(Path.of("/usr/bin/nsenter"), Path.of("/bin/nsenter"));
    private static final List<Path> UNSHARE = List.of(Path.of("/usr/bin/unshare"), Path.of("/bin/unshare"));
    private static final List<Path> MOUNT = List.of(Path.of("/usr/bin/mount"), Path.of("/bin/mount"));
    private static final List<Path> SH = List.of(Path.of("/bin/sh"), Path.of("/usr/bin/sh"));
    /** Where an {@code outbound} desktop's own {@code resolv.conf} is kept: iproute2's {@code /etc/netns/<name>/}. */
    static final Path RESOLV_CONFS = Path.of("/etc/netns");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    /** Rounds of killing what still runs in a namespace being renewed or removed. */
    private static final int KILL_ROUNDS = 10;

    /** The last part of the host device's namespace's name; the desktops' are their indexes (digits only). */
    static final String HOST_DEVICE = "host";
    /** The last part of the attached desktop's namespace's name. */
    static final String ATTACHED_DESKTOP = "attached";

    /** The namespace's name; empty: the host's namespace ({@code shared}). */
    private final Optional<String> name;
    /** Whose namespace it is and the setting that chose it, for the error that says it cannot be made. */
    private final String owner;
    private final String setting;
    /** Whether its commands see a {@code resolv.conf} of their own naming slirp4netns' forwarder ({@code outbound}). */
    private final boolean ownResolver;

    private DesktopNetwork(Optional<String> name, String owner, String setting, boolean ownResolver) {
        this.name = name;
        this.owner = owner;
        this.setting = setting;
        this.ownResolver = ownResolver;
    }

    /** The host's network namespace, shared with every other program on the host ({@code network=shared}). */
    static DesktopNetwork shared() {
        return new DesktopNetwork(Optional.empty(), "", "", false);
    }

    /**
     * A namespace of desktop {@code index}'s own ({@code network=private}), named from {@code prefix}
     * ({@link #prefixOf}); made by the first {@link #renew()}.
     */
    static DesktopNetwork own(String prefix, int index) {
        return new DesktopNetwork(Optional.of(prefix + index), "a hosted desktop", "desktops.network", false);
    }

    /**
     * A namespace of desktop {@code index}'s own given a route out ({@code network=outbound}, by
     * {@link DesktopRouteOut}): as {@link #own}, and its commands resolve names through
     * {@link DesktopRouteOut#NAMESERVER} only.
     */
    static DesktopNetwork outbound(String prefix, int index) {
        return new DesktopNetwork(Optional.of(prefix + index), "a hosted desktop", "desktops.network", true);
    }

    /**
     * The host device's own namespace ({@code linux-host.network=private}), {@code <prefix>host}; made by the first
     * {@link #renew()}.
     */
    static DesktopNetwork hostDevice(String prefix) {
        return new DesktopNetwork(Optional.of(prefix + HOST_DEVICE), "the host device", "linux-host.network",
                false);
    }

    /**
     * The attached desktop's namespace ({@code desktop.network=private}, {@link AttachedDesktop}),
     * {@code <prefix>attached}; made by the first {@link #renew()}.
     */
    static DesktopNetwork attachedDesktop(String prefix) {
        return new DesktopNetwork(Optional.of(prefix + ATTACHED_DESKTOP), "the attached desktop", "desktop.network",
                false);
    }

    /**
     * The namespace a worker uid that is not a hosted desktop runs in (the host device, the attached desktop), after
     * removing {@code own} as a SIGKILLed former run may have left it (a root agent, whatever this run's setting):
     * {@code own} for {@code private}, the host's for {@code shared}; unset, {@code private} when {@code canOwn} (the
     * agent is root and the uid is reset between leases), else {@code shared}.
     *
     * @param setting the name of the setting, for the errors ({@code linux-host.network})
     * @param whyNot why {@code private} cannot be had when {@code canOwn} is false, for the error
     * @throws IllegalStateException for {@code outbound} (only hosted desktops start a route out, {@link DesktopRouteOut})
     *             and for {@code private} when {@code canOwn} is false: the agent does not start rather than run the
     *             commands elsewhere than the operator asked
     */
    static DesktopNetwork chosen(DesktopNetwork own, Optional<DeviceAgentConfig.DesktopNetworkMode> mode,
            boolean canOwn, String setting, String whyNot) {
        if (io.envgrid.deviceagent.exec.WorkerExec.ownUid() == 0) {
            own.remove();
        }
        DeviceAgentConfig.DesktopNetworkMode chosen = mode.orElse(canOwn ? DeviceAgentConfig.DesktopNetworkMode.PRIVATE
                : DeviceAgentConfig.DesktopNetworkMode.SHARED);
        if (chosen == DeviceAgentConfig.DesktopNetworkMode.OUTBOUND) {
            // the route out is started by a hosted desktop's reset only: rather than a private namespace under the name
            // of one with a route out, the agent does not start
            throw new IllegalStateException("envgrid.device-agent." + setting + "=outbound is not supported (only "
                    + "desktops.network has it): set private or shared");
        }
        if (chosen == DeviceAgentConfig.DesktopNetworkMode.SHARED) {
            return shared();
        }
        if (!canOwn) {
            throw new IllegalStateException("envgrid.device-agent." + setting + "=private needs a root agent that resets "
                    + "it between leases: " + whyNot + ", so no network namespace of its own is made ('shared' runs "
                    + "its commands in the host's network)");
        }
        return own;
    }

    /** The names of one agent's namespaces begin with this: {@code envgrid-<12 hex digits>-}. */
    static String prefixOf(String agentId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(agentId.getBytes(StandardCharsets.UTF_8));
            // the agent id may hold '/', which a namespace name (a file name) may not: its digest never does
            return "envgrid-" + HexFormat.of().formatHex(digest, 0, 6) + "-";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }

    /** The namespace's name; empty when the desktop shares the host's. */
    Optional<String> name() {
        return name;
    }

    /**
     * The words a command must start with to run in this namespace: {@code nsenter --net=<file> --} (setns(2) only, no
     * other namespace changes, unlike {@code ip netns exec}, which also mounts a new {@code /sys}); empty for the host's.
     * Placed before the limits and the user switch, which need the agent's privileges no more than the switch into the
     * namespace does after them. An {@code outbound} namespace's commands also need {@link #resolverPrefix()}, after
     * every other namespace they enter.
     *
     * @throws IllegalStateException for a private namespace on a host without {@code nsenter} (util-linux): the agent
     *             does not start rather than run the desktops' programs in the host's namespace
     */
    List<String> enterPrefix() {
        if (name.isEmpty()) {
            return List.of();
        }
        return List.of(program(NSENTER, "nsenter (util-linux)").toString(), "--net=" + file(), "--");
    }

    /**
     * For an {@code outbound} namespace, the words that run a command in a mount namespace of its own where the
     * desktop's {@code resolv.conf} is bound on {@code /etc/resolv.conf} (a missing file fails the command rather than
     * let it read the host's); empty for any other. Last of the namespace words, before the limits and the user
     * switch: entering another mount namespace after them (the desktop's disk, {@link DesktopDisk#enterPrefix()})
     * would leave the binding behind.
     *
     * @throws IllegalStateException {@code unshare}, {@code sh} or {@code mount} missing (the agent does not start)
     */
    List<String> resolverPrefix() {
        if (name.isEmpty() || !ownResolver) {
            return List.of();
        }
        return List.of(program(UNSHARE, "unshare (util-linux)").toString(), "--mount", "--propagation", "slave", "--",
                program(SH, "sh").toString(), "-c", "\"$1\" --bind \"$2\" /etc/resolv.conf && shift 2 && exec \"$@\"",
                "envgrid-resolver", program(MOUNT, "mount (util-linux)").toString(),
                resolvConf(name.get()).toString());
    }

    /** The desktop's own {@code resolv.conf} ({@code outbound}), under {@link #RESOLV_CONFS}. */
    static Path resolvConf(String namespace) {
        return RESOLV_CONFS.resolve(namespace).resolve("resolv.conf");
    }

    /**
     * Makes the desktop's namespace anew (a reset, after the desktop's processes were killed): whatever still runs in
     * the old one is killed (it holds the namespace, so it could otherwise keep its listeners), the old one removed, a
     * new one made and its {@code lo} brought up. Nothing for the host's.
     *
     * @throws ResetFailure when the namespace cannot be made (not root, no {@code ip}, no network namespaces in this
     *             kernel or container): the desktop does not come up rather than run in the host's namespace
     */
    void renew() throws ResetFailure {
        if (name.isEmpty()) {
            return;
        }
        remove(name.get());
        try {
            ip("netns", "add", name.get());
            ip("-n", name.get(), "link", "set", "lo", "up");
            if (ownResolver) {
                writeResolvConf(name.get());
            }
        } catch (IllegalStateException e) {
            String reason = "cannot make the network namespace " + name.get() + " of " + owner + " (" + setting
                    + "=private needs a root agent and iproute2; 'shared' runs it in the host's network): "
                    + e.getMessage();
            LOG.errorf("*** %s does not come up: %s ***", owner, reason);
            throw new ResetFailure(reason);
        }
    }

    /**
     * Removes the namespace, killing what still runs in it (the desktop's slot is gone: agent shutdown; or one a
     * SIGKILLed former run left under this name).
     */
    void remove() {
        name.ifPresent(DesktopNetwork::remove);
    }

    /**
     * Removes every desktop's namespace named with {@code prefix} (the ones a SIGKILLed former run of this agent left),
     * killing what runs in each. Not the host device's ({@link #HOST_DEVICE}) nor the attached desktop's
     * ({@link #ATTACHED_DESKTOP}): {@link HostDevice} and {@link AttachedDesktop} remove their own leftover and may
     * already have made their namespace anew when the fleet starts.
     */
    static void removeLeftovers(String prefix) {
        if (!Files.isDirectory(NAMESPACES)) {
            return;
        }
        try (DirectoryStream<Path> names = Files.newDirectoryStream(NAMESPACES, prefix + "[0-9]*")) {
            for (Path leftover : names) {
                LOG.infof("removing the network namespace %s a former run of this agent left", leftover.getFileName());
                remove(leftover.getFileName().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + NAMESPACES, e);
        }
    }

    /**
     * Writes the desktop's {@code resolv.conf} (root's, 0644: every uid resolves with it, none changes it) naming only
     * slirp4netns' forwarder; written anew at each renewal, so a file changed meanwhile does not stay.
     */
    private static void writeResolvConf(String namespace) {
        Path file = resolvConf(namespace);
        try {
            Files.createDirectories(file.getParent());
            Path written = Files.createTempFile(file.getParent(), "resolv-", ".conf");
            Files.writeString(written, "# envgrid: slirp4netns' DNS forwarder (port 53 only) of desktop namespace "
                    + namespace + "\nnameserver " + DesktopRouteOut.NAMESERVER + "\n", StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(written, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(written, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private Path file() {
        return NAMESPACES.resolve(name.orElseThrow());
    }

    private static void remove(String namespace) {
        Path file = NAMESPACES.resolve(namespace);
        if (!Files.exists(file)) {
            return;
        }
        killEverythingIn(file);
        try {
            ip("netns", "delete", namespace);
        } catch (IllegalStateException e) {
            LOG.warnf("cannot remove the network namespace %s: %s", namespace, e.getMessage());
        }
        removeResolvConf(namespace);
    }

    /** Removes an {@code outbound} desktop's {@code resolv.conf} and its directory, if any. */
    private static void removeResolvConf(String namespace) {
        Path file = resolvConf(namespace);
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        } catch (IOException e) {
            LOG.debugf("cannot remove %s: %s", file, e);
        }
    }

    /**
     * SIGKILLs every process whose network namespace is the one bound at {@code file} (compared by the namespace's
     * inode, {@code /proc/<pid>/ns/net}), whatever its uid: the desktop's own were killed by uid and control group
     * before, this catches anything else that entered it.
     */
    private static void killEverythingIn(Path file) {
        String link;
        try {
            link = "net:[" + Files.getAttribute(file, "unix:ino") + "]";
        } catch (IOException | UnsupportedOperationException e) {
            return; // gone meanwhile
        }
        for (int round = 0; round < KILL_ROUNDS; round++) {
            List<ProcessHandle> inside = processesIn(link);
            if (inside.isEmpty()) {
                return;
            }
            inside.forEach(ProcessHandle::destroyForcibly);
            inside.forEach(p -> p.onExit().orTimeout(1, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null)
                    .join());
        }
        LOG.warnf("processes %s still run in the network namespace %s after %d rounds of SIGKILL", processesIn(link),
                file.getFileName(), KILL_ROUNDS);
    }

    private static List<ProcessHandle> processesIn(String link) {
        List<ProcessHandle> inside = new ArrayList<>();
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            all.forEach(process -> {
                try {
                    Path ns = Path.of("/proc", Long.toString(process.pid()), "ns", "net");
                    if (Files.readSymbolicLink(ns).toString().equals(link)) {
                        inside.add(process);
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // gone meanwhile
                }
            });
        }
        return inside;
    }

    /**
     * Runs {@code ip} with these arguments; an {@link IllegalStateException} with its error when it fails. Also used by
     * {@link DesktopRouteOut} for the routes of an {@code outbound} namespace.
     */
    static void ip(String... arguments) {
        List<String> command = new ArrayList<>(List.of(program(IP, "ip (iproute2)").toString()));
        command.addAll(List.of(arguments));
        ProcessOutcome outcome;
        try {
            outcome = HostProcesses.run(command, null, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                    COMMAND_TIMEOUT);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
        }
        if (!outcome.succeeded()) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + outcome.exitCode() + "): "
                    + outcome.stderr().strip());
        }
    }

    private static Path program(List<Path> candidates, String what) {
        return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException(
                what + " not found in " + candidates + ": needed for envgrid.device-agent.desktops.network=private, "
                        + "linux-host.network=private and desktop.network=private"));
    }
}

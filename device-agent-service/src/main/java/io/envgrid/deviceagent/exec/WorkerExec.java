package io.envgrid.deviceagent.exec;

import io.envgrid.deviceagent.cgroup.DesktopCgroup;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.process.HostProcesses;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * How a command run on a worker's behalf (desktop {@code /execute}, {@code /run_python}, {@code /run_bash_script},
 * {@code /setup/launch}, pyautogui code on the host's Python; {@code device.execute} on the host's {@code linux}
 * device) is started, so that it cannot read the agent's secrets:
 * <ul>
 * <li>its environment is {@link WorkerEnvironment#scrub scrubbed} (no {@code ENVGRID_*}, no tokens);</li>
 * <li>when the agent runs as root it runs as {@code envgrid.device-agent.exec.user} (default {@code nobody}) through
 * util-linux's {@code setpriv --reuid --regid --init-groups --no-new-privs --inh-caps=-all}: then
 * {@code /proc/<agent pid>/environ} and the agent's root-only files are closed to it (proc(5): environ is readable by
 * the process' own user only), and no setuid program gives root back.</li>
 * </ul>
 * An agent that is not root runs the commands as itself (the switch needs root; in Kubernetes the agent runs as
 * uid 185, the environment is still scrubbed). A root agent whose exec user is not in {@code /etc/passwd}, or
 * without {@code setpriv}, does not start: it never falls back to running workers' commands as root.
 */
@ApplicationScoped
public class WorkerExec {

    private static final Logger LOG = Logger.getLogger(WorkerExec.class);
    /** login(1)'s PATH for an ordinary user, with the sbin directories Debian's adduser puts there too. */
    static final String USER_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
    private static final List<Path> SETPRIV = List.of(Path.of("/usr/bin/setpriv"), Path.of("/bin/setpriv"));

    private final long agentUid;
    private final Optional<PasswdEntry> user;
    private final Optional<Path> setpriv;
    /** A hosted desktop's uid has no passwd entry (so no groups to initialise) and its own home even without a switch. */
    private final boolean passwdUser;
    private final Optional<String> home;
    /**
     * The {@code prlimit} words that start a hosted desktop's worker command under its limits; empty for the exec user
     * of the attached desktop and devices, and without a user switch.
     */
    private final List<String> limitPrefix;
    /**
     * The words that move a hosted desktop's command into its control group before anything else (they write to
     * {@code cgroup.procs}, which the worker's uid may not); empty without one.
     */
    private final List<String> joinPrefix;
    /**
     * The words that move a command into its own namespaces, after it joined its control group and before its limits
     * and user switch: a hosted desktop's network namespace ({@code nsenter}), its disk's mount namespace and an
     * outbound desktop's {@code resolv.conf} binding; the host device's network and disk's mount namespaces; the
     * attached desktop's for the exec user. Empty in the host's namespaces.
     */
    private final Supplier<List<String>> networkPrefix;
    /**
     * Where the worker's commands see their {@code /tmp} when it is not the host's (a hosted desktop's own, the host
     * device's, the exec user's): asked for at each file, as the network prefix is.
     */
    private final Supplier<Optional<Scratch>> scratch;

    /**
     * A hosted desktop's own temporary directory: {@code agentPath} as the agent reaches it, {@code workerPath} (its
     * {@code /tmp}) as the desktop's commands do, in their own mount namespace.
     */
    public record Scratch(Path agentPath, Path workerPath) {
    }

    /**
     * A file the agent wrote for one command of the worker (a {@code /run_python} program): {@code agentPath} to write
     * and delete it, {@code workerPath} to name it on the command line.
     */
    public record ScratchFile(Path agentPath, String workerPath) {
    }

    /**
     * The exec user's: the attached desktop's workers. Their network and mount namespaces are the attached desktop's
     * ({@link ExecUserNamespaces}), asked for at each command: they are made (and renewed at each reset) by a bean that
     * needs this one first.
     */
    @Inject
    public WorkerExec(DeviceAgentConfig config, Instance<ExecUserNamespaces> namespaces) {
        this(ownUid(), config.exec().switchUser(), config.exec().user(), Path.of("/etc/passwd"),
                () -> namespaces.isResolvable() ? namespaces.get().enterPrefix() : List.of(),
                () -> namespaces.isResolvable() ? namespaces.get().scratch() : Optional.empty());
    }

    WorkerExec(long agentUid, boolean switchUser, String userName, Path passwd) {
        this(agentUid, switchUser, userName, passwd, List::of, Optional::empty);
    }

    private WorkerExec(long agentUid, boolean switchUser, String userName, Path passwd,
            Supplier<List<String>> network, Supplier<Optional<Scratch>> scratch) {
        this.agentUid = agentUid;
        this.passwdUser = true;
        this.home = Optional.empty();
        this.limitPrefix = List.of();
        this.joinPrefix = List.of();
        this.networkPrefix = network;
        this.scratch = scratch;
        if (agentUid == 0 && switchUser) {
            this.user = Optional.of(PasswdEntry.find(passwd, userName).orElseThrow(() -> new IllegalStateException(
                    "envgrid.device-agent.exec.user '" + userName + "' is not in " + passwd + ": the agent runs as "
                            + "root and will not run workers' commands as root")));
            this.setpriv = Optional.of(setpriv());
        } else {
            this.user = Optional.empty();
            this.setpriv = Optional.empty();
        }
    }

    /**
     * The commands of one hosted desktop (see {@code fleet/}): they run as {@code uid}:{@code uid}, a number with no
     * passwd entry (so {@code setpriv --clear-groups} instead of {@code --init-groups}), with {@code HOME} the desktop's
     * home; when the agent is not root they run as the agent (no switch possible) but still with that {@code HOME}.
     * Started without resource limits: {@link #WorkerExec(long, Path, WorkerLimits)} is the desktops' own.
     */
    public WorkerExec(long uid, Path home) {
        this(uid, home, Optional.empty(), Optional.empty(), List.of(), Optional.empty());
    }

    /**
     * The commands of one hosted desktop, each started under {@code limits} when switching users (its uid is then the
     * desktop's alone, so RLIMIT_NPROC bounds exactly its processes). Without a switch every desktop runs as the agent's
     * uid, whose count includes the agent's own threads and the other desktops: no limit is set there, as such an agent
     * does not separate desktops anyway (README, "Desktop fleet"). Each of them (with or without a user switch) first
     * joins the desktop's control group {@code cgroup} when it has one, which bounds their memory and number together
     * (see {@code cgroup/}), then enters its network namespace through {@code enterNetwork} (the words of
     * {@code fleet/DesktopNetwork}, then {@code fleet/DesktopDisk}'s mount namespace, then an outbound desktop's
     * {@code resolv.conf} binding; empty: the host's).
     *
     * @param scratch where those commands see their {@code /tmp} when a mount namespace in {@code enterNetwork} gives
     *            them one of their own: the agent's files for them ({@link #scratchFile}) are written there
     */
    public WorkerExec(long uid, Path home, WorkerLimits limits, Optional<DesktopCgroup> cgroup,
            List<String> enterNetwork, Optional<Scratch> scratch) {
        this(uid, home, Optional.of(limits), cgroup, enterNetwork, scratch);
    }

    private WorkerExec(long uid, Path home, Optional<WorkerLimits> limits, Optional<DesktopCgroup> cgroup,
            List<String> enterNetwork, Optional<Scratch> scratch) {
        this.agentUid = ownUid();
        this.passwdUser = false;
        this.home = Optional.of(home.toString());
        this.joinPrefix = cgroup.map(DesktopCgroup::joinPrefix).orElse(List.of());
        List<String> entered = List.copyOf(enterNetwork);
        this.networkPrefix = () -> entered;
        this.scratch = () -> scratch;
        if (agentUid == 0) {
            this.user = Optional.of(new PasswdEntry(Long.toString(uid), uid, uid, home.toString()));
            this.setpriv = Optional.of(setpriv());
            this.limitPrefix = limits.map(WorkerLimits::prefix).orElse(List.of()); // no prlimit: fails here, at start
        } else {
            this.user = Optional.empty();
            this.setpriv = Optional.empty();
            this.limitPrefix = List.of();
        }
    }

    private static Path setpriv() {
        return SETPRIV.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException(
                "setpriv (util-linux) not found in " + SETPRIV + ": the agent runs as root and will not run workers' "
                        + "commands as root"));
    }

    void announce(@Observes StartupEvent start) {
        if (user.isPresent()) {
            LOG.infof("workers' commands run as %s (uid %d) with a scrubbed environment", user.get().name(),
                    user.get().uid());
        } else if (agentUid == 0) {
            LOG.warn("*** envgrid.device-agent.exec.switch-user=false: workers' commands run as ROOT in the agent's "
                    + "host (environment scrubbed, but root reads every process' memory and files) ***");
        } else {
            LOG.infof("workers' commands run as the agent's own uid %d (not root, so no user switch) with a scrubbed "
                    + "environment", agentUid);
        }
    }

    /** Whether commands are switched to another user (the agent is root and the switch is on). */
    public boolean switchesUser() {
        return user.isPresent();
    }

    /** The uid commands run as when switching users. */
    public Optional<Long> uid() {
        return user.map(PasswdEntry::uid);
    }

    /**
     * The home directory of the user commands run as: what {@code ~} means in a worker's paths (issue 11) — the
     * desktop's home for a hosted desktop, the exec user's when switching, else the agent's.
     */
    public String home() {
        return home.or(() -> user.map(PasswdEntry::home)).orElseGet(() -> System.getProperty("user.home"));
    }

    /**
     * {@code command} as it must be started: behind {@code setpriv} (and a hosted desktop's limits) when switching
     * users, inside a hosted desktop's control group when it has one and its network namespace when it has its own,
     * else unchanged.
     *
     * @throws UncheckedIOException (with an {@link IOException} cause, as {@link ProcessBuilder#start} reports it) when
     *             switching users and the program is not an executable file, by path or on the user's {@code PATH}:
     *             {@code setpriv} itself would start and fail later, so the caller could not tell "no such program"
     *             (the caller's fault) from a program that failed
     */
    public List<String> command(List<String> command) {
        if (user.isEmpty()) {
            List<String> entered = new ArrayList<>(networkPrefix.get());
            entered.addAll(command);
            return inCgroup(entered);
        }
        if (!runnable(command.get(0))) {
            throw new UncheckedIOException(new IOException("Cannot run program \"" + command.get(0)
                    + "\": no such executable file (looked for as " + user.get().name() + ")"));
        }
        List<String> limited = new ArrayList<>(joinPrefix);
        limited.addAll(networkPrefix.get());
        limited.addAll(limitPrefix);
        limited.addAll(switched(command));
        return limited;
    }

    /**
     * {@code command} started inside the hosted desktop's control group, as the agent (its X server): unchanged
     * without one. Not in the desktop's network namespace: the X server picks its display number by the abstract
     * socket names of the host's (see {@code fleet/DisplayServer}).
     */
    public List<String> inCgroup(List<String> command) {
        List<String> joined = new ArrayList<>(joinPrefix);
        joined.addAll(command);
        return joined;
    }

    /**
     * {@code command} run as the worker's user for the agent's own housekeeping (a reset's {@code kill -KILL -1},
     * {@code ipcrm}), without the worker's limits: it must run exactly when the worker has used them up, and with
     * RLIMIT_NPROC set the kernel refuses the exec of a process switching to a uid over its limit.
     */
    public List<String> housekeeping(List<String> command) {
        return user.isEmpty() ? command : switched(command);
    }

    private List<String> switched(List<String> command) {
        PasswdEntry entry = user.orElseThrow();
        List<String> wrapped = new ArrayList<>(List.of(setpriv.orElseThrow().toString(), "--reuid=" + entry.uid(),
                "--regid=" + entry.gid(), passwdUser ? "--init-groups" : "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Whether the user can run {@code program}. A name is looked up on {@link #USER_PATH}, whose system directories
     * everyone may read, so the agent's test has the user's outcome. A path anywhere else is tested as the user (one
     * short process): the agent's own test would tell a worker which programs exist where it may not look (another
     * desktop's home).
     */
    private boolean runnable(String program) {
        if (!program.contains("/") || onUserPath(program)) {
            return runnableByAnyone(program);
        }
        try {
            // without the limits: a worker at its process limit would get "no such program" for every program; in the
            // command's namespaces, where a path in its own /tmp exists
            List<String> test = new ArrayList<>(networkPrefix.get());
            test.addAll(switched(List.of("/bin/sh", "-c", "[ -f \"$1\" ] && [ -x \"$1\" ]", "sh", program)));
            return HostProcesses.run(test, null, environment(Map.of()), Duration.ofSeconds(10)).succeeded();
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private static boolean onUserPath(String program) {
        int slash = program.lastIndexOf('/');
        return program.startsWith("/") && List.of(USER_PATH.split(":")).contains(program.substring(0, slash))
                && !program.substring(slash + 1).isEmpty();
    }

    /**
     * The whole environment of a worker's command: the agent's allowed variables, the identity of the user it runs as
     * ({@code HOME}, {@code USER}, {@code LOGNAME}, a system {@code PATH}) when switching, then {@code extra} (e.g.
     * {@code DISPLAY}).
     */
    public Map<String, String> environment(Map<String, String> extra) {
        Map<String, String> environment = new LinkedHashMap<>(WorkerEnvironment.scrub(System.getenv()));
        user.ifPresent(entry -> {
            // the agent's PATH is root's (a version manager's shims under /root): the user's own, as login(1) sets it
            environment.put("PATH", USER_PATH);
            environment.put("HOME", entry.home());
            environment.put("USER", entry.name());
            environment.put("LOGNAME", entry.name());
        });
        home.ifPresent(dir -> environment.put("HOME", dir));
        extra.forEach((name, value) -> {
            if (WorkerEnvironment.allowed(name)) {
                environment.put(name, value);
            }
        });
        return environment;
    }

    /**
     * Lets the user commands run as read a file the agent keeps (a hosted desktop's X cookie): the file's group becomes
     * that user's group and its mode {@code 0440}, its owner stays the agent. Unlike {@link #handOver} the user cannot
     * change, grow or re-mode it, which matters for a file the agent reads again itself (review13 F1: a worker grew
     * its Xauthority file into the root agent's heap). Without a user switch it is only made {@code 0400}.
     */
    public void shareRead(Path path) {
        try {
            if (user.isPresent()) {
                Files.setAttribute(path, "unix:gid", (int) user.get().gid(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString(
                    user.isPresent() ? "r--r-----" : "r--------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot let " + user.map(PasswdEntry::name).orElse("the agent's user")
                    + " read " + path, e);
        }
    }

    /**
     * Gives a file or directory the agent made for a worker's command (a script file, a device's {@code files/}
     * directory) to the user the command runs as, so it can read and write it; nothing when not switching.
     */
    public void handOver(Path path) {
        if (user.isEmpty() || !Files.exists(path)) {
            return; // a directory that is not there: starting the command in it fails on its own
        }
        try {
            // by number: a hosted desktop's uid has no name to look up
            Files.setAttribute(path, "unix:uid", (int) user.get().uid(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", (int) user.get().gid(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hand " + path + " over to " + user.get().name(), e);
        }
    }

    /**
     * Writes {@code content} to a new file (random name, never an existing one) where the worker's commands find it: in
     * a worker's own {@code /tmp} where its mount namespace gives it one (a hosted desktop's, the host device's, the
     * exec user's: so on its bounded file system), else in the agent's temporary directory.
     * The caller hands it over and deletes it.
     */
    public ScratchFile scratchFile(String suffix, String content) throws IOException {
        Optional<Scratch> own = scratch.get();
        Path dir = own.map(Scratch::agentPath).orElse(Path.of(System.getProperty("java.io.tmpdir")));
        Path file = Files.createTempFile(dir, "envgrid-desktop-", suffix);
        Files.writeString(file, content);
        return new ScratchFile(file, own.map(s -> s.workerPath().resolve(file.getFileName()).toString())
                .orElse(file.toString()));
    }

    private static boolean runnableByAnyone(String program) {
        try {
            if (program.contains("/")) {
                return Files.isRegularFile(Path.of(program)) && Files.isExecutable(Path.of(program));
            }
            for (String dir : USER_PATH.split(":")) {
                Path candidate = Path.of(dir, program);
                if (!program.isEmpty() && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return true;
                }
            }
            return false;
        } catch (java.nio.file.InvalidPathException e) {
            return false; // a NUL in the name: nothing can be started by it
        }
    }

    /** The agent's effective uid: the owner of {@code /proc/self} (proc(5)); -1 where there is none (not Linux). */
    public static long ownUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return -1; // not Linux: no user switch
        }
    }
}

package io.envgrid.deviceagent.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Typed settings of the device agent; all but the data directory have working defaults (limits as the device tools' contract sets them: 100 requests a minute, 30 s, 100 MB). */
@ConfigMapping(prefix = "envgrid.device-agent")
public interface DeviceAgentConfig {

    /** Root of the records: {@code devices/{type}/{id}/device.json} with {@code logs/} and {@code files/}. */
    Path dataDir();

    /** Version reported by {@code /health} and {@code system.info}. */
    @WithDefault("1.0.0")
    String version();

    /** Longest a device command, push, pull or install may run. */
    @WithDefault("30s")
    Duration commandTimeout();

    /** Largest file a device may receive or hand back (100 MB). */
    @WithDefault("104857600")
    long maxFileBytes();

    /** File name endings accepted for uploads and downloads. */
    @WithDefault(".apk,.ipa,.exe,.zip,.txt,.log")
    List<String> allowedFileTypes();

    /** Requests per minute one client may make. */
    @WithDefault("100")
    int rateLimitPerMinute();

    /** Bearer token of other envgrid services; its callers are not rate limited. Exclusive with the digest below. */
    Optional<String> serviceToken();

    /**
     * The SHA-256 of that token instead (64 hex digits, as {@code sha256sum} prints it): the agent then holds no token
     * at all ({@code access/ServiceTokenCheck}).
     */
    @WithName("service-token-sha256")
    Optional<String> serviceTokenSha256();

    /** How often attached devices are looked for. */
    @WithDefault("10s")
    Duration discoveryInterval();

    /** How long {@code system.restart} waits before reloading, as the tool's answer announces it. */
    @WithDefault("5s")
    Duration restartDelay();

    /** Prefix of every resource id this agent registers with the allocator; the host name when unset. */
    Optional<String> agentId();

    /** How callers reach this agent; {@code http://<host name>:<HTTP port>} when unset. */
    Optional<URI> publicUrl();

    Registration registration();

    LinuxHost linuxHost();

    Adb adb();

    Desktop desktop();

    /** Desktops the agent hosts itself, each on its own X server, user, home and port (issue 13; {@code fleet/}). */
    Desktops desktops();

    /** Registration with the allocator (on when {@code envgrid.allocator.url} is set). */
    interface Registration {
        /** Heartbeat period; also how soon discovered or lost devices reach the allocator. */
        @WithDefault("5s")
        Duration heartbeatInterval();

        /** Seconds without a heartbeat after which the allocator marks a resource down. */
        @WithDefault("15")
        int heartbeatTtlSeconds();
    }

    /** Who may call the device and system tools (docs/isolation.md, "Device agent"). */
    Tools tools();

    /** How commands run on a worker's behalf (desktop routes, the host's {@code linux} device). */
    Exec exec();

    interface Tools {
        /**
         * {@code lease} (the default): a tool acting on a device takes that device's live lease token or the service
         * token, management tools only the service token; {@code open}: every tool callable without a credential, for local demos
         * (logged as a warning at start).
         */
        @WithDefault("lease")
        DesktopAuth auth();
    }

    interface Exec {
        /**
         * The unprivileged OS user (a name in {@code /etc/passwd}) worker commands run as when the agent runs as root;
         * ignored otherwise (the commands then run as the agent's own user).
         */
        @WithDefault("nobody")
        String user();

        /** {@code false} keeps worker commands as root when the agent is root (warned at start; never in production). */
        @WithDefault("true")
        boolean switchUser();
    }

    /** The OSWorld in-VM server for the host's own X display, at the root of the HTTP port. */
    interface Desktop {
        /** Serve it when a display is known (this setting, else the DISPLAY environment variable). */
        @WithDefault("true")
        boolean enabled();

        /** The X display, e.g. {@code :0}; the agent's DISPLAY when unset. */
        Optional<String> display();

        /**
         * The display's Xauthority file (its MIT-MAGIC-COOKIE-1), an absolute path; the agent's {@code XAUTHORITY} when
         * unset (else Xlib's {@code ~/.Xauthority}). The agent's own connection and the exec user's commands
         * ({@code XAUTHORITY} in their environment) use it; where the exec user's {@code /tmp} is its own (the attached
         * desktop's disk), a file below a shared temporary directory is bound into it read-only.
         */
        Optional<String> xauthority();

        /** OSWorld's limit for {@code /execute}. */
        @WithDefault("120s")
        Duration executeTimeout();

        /**
         * How often a desktop call admitted under a lease token checks that lease with the allocator again while it
         * runs; the call is cut off (interrupted, its process tree killed, answered {@code 409 LEASE_NOT_LIVE}) at the
         * first check that finds the lease over. Attached and hosted desktops alike.
         */
        @WithDefault("1s")
        Duration leaseRecheckInterval();

        /**
         * How long a running call's lease may go unconfirmed (the allocator unreachable, 5xx, circuit open) before the
         * call is cut off all the same ({@code 503 ALLOCATOR_UNAVAILABLE}): fail closed, with room for a few
         * unanswered checks (the check's own retry and timeout take up to 2.5 s).
         */
        @WithDefault("5s")
        Duration leaseUnconfirmedLimit();

        /** OSWorld's limit for {@code /run_python}. */
        @WithDefault("30s")
        Duration pythonTimeout();

        /** The host's Python, for {@code /run_python} and for pyautogui code when pyautogui is installed. */
        @WithDefault("python3")
        String python();

        /**
         * The Python that reads the accessibility tree: one with pyatspi (Debian's python3-pyatspi
         * installs it for the system Python, which a version manager's python3 on PATH may hide).
         */
        @WithDefault("/usr/bin/python3")
        String accessibilityPython();

        /** A large tree takes a while to walk; longer means the accessibility bus is wedged. */
        @WithDefault("20s")
        Duration accessibilityTimeout();

        /**
         * Who may use the desktop routes: {@code lease} (the default), the live lease token of the desktop's
         * resource or the service token on every call; {@code open}, anyone (local development only; logged as a
         * warning at start).
         */
        @WithDefault("lease")
        DesktopAuth auth();

        /**
         * Where the attached desktop's screen recording is written while it runs (ffmpeg runs as the agent). Unset: in
         * a directory of the agent's own made at start (0700, under {@code java.io.tmpdir}), never a fixed name in a
         * directory every worker may write, where a worker could put a link first.
         */
        Optional<Path> recordingFile();

        /**
         * The largest screen recording, in bytes (ffmpeg {@code -fs}; a size such as {@code 256m}): ffmpeg finishes the
         * file there and {@code /end_recording} returns what was recorded. Applies to the attached desktop and to every
         * hosted one, whose recording also counts against its {@code desktops.limits.max-disk}.
         */
        @WithDefault("256m")
        MemorySize recordingMaxSize();

        /** The longest screen recording (ffmpeg {@code -t}): ffmpeg finishes the file there, as at the size bound. */
        @WithDefault("30m")
        Duration recordingMaxDuration();

        /**
         * The program {@code /setup/open_file} opens a file with (the file's path is its last argument), run as the
         * worker's user: OSWorld's server runs {@code xdg-open}.
         */
        @WithDefault("xdg-open")
        List<String> openCommand();

        /** How long {@code /setup/open_file} waits for a window whose title names the file (OSWorld waits too). */
        @WithDefault("15s")
        Duration openWindowTimeout();

        /** Offer the host's display to the allocator as an OSWorld-style desktop resource. */
        @WithDefault("false")
        boolean register();

        /** The allocator resource type the desktop is offered as. */
        @WithDefault("vm_pyautogui")
        String resourceType();

        /** The desktop's allocator resource id; {@code <agent id>:desktop} when unset. */
        Optional<String> resourceId();

        /**
         * Offer the attached desktop to the allocator even when the agent cannot reset it between leases (not root, or
         * {@code exec.switch-user=false}: its holders' commands then run as the agent's own uid, and nothing tells a
         * former holder's processes and files from the agent's). Off by default: such a desktop is not offered (a
         * warning at start says so); on only where every holder is trusted alike (warned at start).
         */
        @WithDefault("false")
        boolean leaseWithoutReset();

        /**
         * The network namespace the attached desktop's worker commands (the exec user's) run in
         * ({@code fleet/AttachedDesktop}, with the hosted desktops' {@code fleet/DesktopNetwork}): {@code private} a
         * namespace of its own with only a loopback interface, made at start and anew at every reset (no route out; the
         * host's loopback listeners, the agent's ports among them, and its abstract socket names out of reach; the X
         * display is reached over its path socket {@code /tmp/.X11-unix/X<n>}), {@code shared} the host's. Unset:
         * {@code private} when the agent resets the attached desktop (root, user switch on, no hosted desktops), else
         * {@code shared}; {@code private} set on an agent that cannot reset it stops it at start, and {@code outbound}
         * is refused (only {@code desktops.network} has it).
         */
        Optional<DesktopNetworkMode> network();

        /**
         * The bytes the attached desktop's workers (the exec user's commands) can write, in total (a size such as
         * {@code 1g}): what they see as {@code /tmp}, {@code /var/tmp}, {@code /run/lock} and {@code /dev/shm} (one
         * private directory for the four, in a mount namespace of its own, with the host's X socket directory bound
         * read-only) and the exec user's home when it is a directory of that uid's are one {@code tmpfs} of this size
         * at {@code <data-dir>/.disk/attached-desktop}, mounted anew at every reset ({@code fleet/DesktopDisk}, as a
         * hosted desktop's; a write past it fails with {@code ENOSPC}). tmpfs is memory. Only where the attached
         * desktop is reset between leases (a root agent switching to an exec uid of its own, registered); otherwise the
         * writes are not bounded (a warning at start).
         */
        @WithDefault("1g")
        MemorySize maxDisk();
    }

    /**
     * Hosted desktops. With {@code count} 0 (the default) the agent serves the one attached display of
     * {@link Desktop#display()} as before; with N ≥ 1 it starts N desktops itself, desktop {@code i} on an X display its
     * Xvfb picks free at every reset, port {@code first-port+i}, uid {@code first-uid+i}, home {@code home-root/desktop-i},
     * registered as {@code <agent id>:desktop-i} with {@code reset: true}, and reset to the template after every lease.
     */
    interface Desktops {
        /** How many desktops to host; 0: none (the attached display, if any, is served instead). */
        @WithDefault("0")
        int count();

        /** Xvfb's screen: {@code WIDTHxHEIGHTxDEPTH} (depth 24: the screenshot encoder reads 8-bit true colour). */
        @WithDefault("1280x800x24")
        String geometry();

        /** The port desktop 0 is served on (its OSWorld endpoint); desktop i uses this + i. Required with count ≥ 1. */
        Optional<Integer> firstPort();

        /** Window manager started on each display as the desktop's user: a command line, or {@code none}. */
        @WithDefault("openbox")
        String windowManager();

        /** The uid (and gid) of desktop 0's user when the agent runs as root; desktop i uses this + i. */
        @WithDefault("61000")
        int firstUid();

        /** Where the desktops' home directories are made ({@code desktop-0}, …); must be traversable by their users. */
        @WithDefault("${java.io.tmpdir}/envgrid-desktops")
        Path homeRoot();

        /** A directory copied into a desktop's home at every reset; empty homes when unset. */
        Optional<Path> template();

        /** Command lines (split like a shell) started as the desktop's user at every reset, in order, not awaited. */
        Optional<List<String>> startup();

        /** How often the agent asks the allocator for its desktops in state {@code resetting} (and resets them). */
        @WithDefault("1s")
        Duration reconcileInterval();

        /**
         * The allocator's Redis to hear the lease channel's {@code reason: "reset"} messages on, so a reset starts at
         * once instead of at the next reconciliation; unset: reconciliation alone (it never depends on the message).
         * Read as {@code quarkus.redis.hosts} is: with client type {@code standalone} one {@code redis://host:port}
         * (with a password if it has one), with {@code sentinel} the Sentinels' URLs, comma-separated.
         */
        Optional<String> leaseChannelRedis();

        /**
         * {@code standalone} or {@code sentinel}, as the allocator's {@code quarkus.redis.client-type}: with Sentinel
         * the agent asks the Sentinels for the master at every (re)connection, so it follows a failover.
         */
        @WithDefault("standalone")
        LeaseChannelRedisType leaseChannelRedisClientType();

        /** The master name the Sentinels monitor ({@code quarkus.redis.master-name}; its default too). */
        @WithDefault("mymaster")
        String leaseChannelRedisMasterName();

        /**
         * Which server the Sentinels name to subscribe on ({@code quarkus.redis.role}): {@code master}, or
         * {@code replica} (a replica passes on every message its master publishes).
         */
        @WithDefault("master")
        LeaseChannelRedisRole leaseChannelRedisRole();

        /**
         * How long after the lease channel's connection ended or could not be made the agent subscribes again; doubled
         * after every further failure, up to {@code lease-channel-retry-max-backoff}, and back to this once subscribed.
         * Short, so that the first reset after a failover is not held back by it.
         */
        @WithDefault("100ms")
        Duration leaseChannelRetryBackoff();

        /** The longest wait between two attempts to subscribe to the lease channel. */
        @WithDefault("5s")
        Duration leaseChannelRetryMaxBackoff();

        /** The allocator's lease channel ({@code envgrid.allocator.key-prefix} + {@code ch:expired}). */
        @WithDefault("{envgrid}:ch:expired")
        String leaseChannel();

        /** Longest the X server or window manager may take to come up in a reset. */
        @WithDefault("10s")
        Duration startTimeout();

        /**
         * How long after a failed reset the desktop is reset again; doubled after every further failure, up to
         * {@code reset-retry-max-backoff}.
         */
        @WithDefault("5s")
        Duration resetRetryBackoff();

        /** The longest wait between two retries of a failed reset. */
        @WithDefault("5m")
        Duration resetRetryMaxBackoff();

        /** Retries of a desktop's failed resets in a row, after which it stays down until the agent restarts. */
        @WithDefault("20")
        int resetRetries();

        /**
         * Calls one desktop's port carries at once (each desktop has its own connections to the agent's port); one
         * more is answered 429 at once, so a tenant flooding its own desktop with slow calls delays no other desktop.
         */
        @WithDefault("32")
        int maxConcurrentCalls();

        /**
         * Connections one desktop's port keeps open at once; one more is closed as soon as it is accepted. Opening a
         * connection needs no credential, so without a cap one client could take the agent's file descriptors, which
         * every desktop and the agent's own port share. Well above {@code max-concurrent-calls}: a client may keep a
         * few idle connections of its own.
         */
        @WithDefault("256")
        int maxConnections();

        /**
         * How long a connection to a desktop's port may carry no request, counted from its start or its last answer
         * until its next request head is complete (so a head sent a byte at a time is closed too); a call in flight is
         * never cut off by it.
         */
        @WithDefault("30s")
        Duration idleTimeout();

        /** What one desktop's worker may hold of the host (set on every process the agent starts as its uid). */
        Limits limits();

        /**
         * The network a desktop's window manager, start-up programs and worker commands see: {@code private} (a network
         * namespace of the desktop's own with only a loopback interface, made anew at every reset; needs a root agent,
         * a desktop whose namespace cannot be made does not come up) or {@code shared} (the host's, as before: every
         * loopback listener and abstract socket name of the host is reachable from every desktop) or {@code outbound}
         * ({@code private} plus a route out through {@code slirp4netns}, started by the agent at every reset: the
         * host's loopback and the ranges of {@code fleet/DesktopRouteOut.BLOCKED} stay out of reach, except
         * {@link #outboundAllow()}; needs a root agent and slirp4netns).
         */
        @WithDefault("private")
        DesktopNetworkMode network();

        /**
         * IPv4 ranges ({@code a.b.c.d/n}) a desktop with {@code network=outbound} may reach although they are private,
         * shared (100.64/10) or link-local, e.g. a proxy or a package mirror on the operator's network; empty (the
         * default): none. A range holding one of the host's own addresses makes that address reachable too. No
         * nameserver is opened: names resolve through slirp4netns' DNS forwarder (fleet/DesktopRouteOut).
         */
        Optional<List<String>> outboundAllow();
    }

    /**
     * {@code envgrid.device-agent.desktops.network} and {@code linux-host.network}: whose network namespace a hosted
     * desktop's (the host device's) programs run in.
     */
    enum DesktopNetworkMode {
        SHARED, PRIVATE, OUTBOUND
    }

    /** How {@code envgrid.device-agent.desktops.lease-channel-redis} names the Redis: one server or its Sentinels. */
    enum LeaseChannelRedisType {
        STANDALONE, SENTINEL
    }

    /** The server of a Sentinel-watched set the lease channel subscribes on. */
    enum LeaseChannelRedisRole {
        MASTER, REPLICA
    }

    /**
     * {@code envgrid.device-agent.desktops.limits.*}: resource limits of a hosted desktop's worker, so that a fork bomb
     * or a leak in one desktop cannot starve the host's other desktops or the agent (README, "Desktop fleet").
     */
    interface Limits {
        /**
         * RLIMIT_NPROC: processes and threads of the desktop's uid together (the kernel counts per real uid, and every
         * process of the uid gets it, so this bounds the uid's total). 2048: a browser with a dozen tabs runs 20–40
         * processes of 20–60 threads each (~1,000 tasks), with room for the X session, a terminal and the worker's tools.
         */
        @WithDefault("2048")
        int maxProcesses();

        /**
         * RLIMIT_NOFILE, per process: 8192 leaves a browser with many tabs (a few thousand descriptors in its busiest
         * process) room, and stops one process from taking the host's file table.
         */
        @WithDefault("8192")
        int maxOpenFiles();

        /**
         * The memory of all the desktop's processes together (X server, window manager, start-up programs, every
         * worker command), kept by the kernel in the desktop's control group (cgroup v2 {@code memory.max}, v1
         * {@code memory.limit_in_bytes}; swap not on top): a size such as {@code 2g} or {@code 512m}. Unset: 2 GiB
         * ({@link #DEFAULT_MAX_MEMORY}) where the host has a usable memory controller, and no memory bound (a loud
         * warning) where it has none. Set: the agent does not start without a usable memory controller.
         */
        Optional<MemorySize> maxMemory();

        /** What an unset {@link #maxMemory()} means where the host can bound memory: 2 GiB. */
        long DEFAULT_MAX_MEMORY = 2L * 1024 * 1024 * 1024;

        /**
         * The bytes one desktop's worker can write, in total (a size such as {@code 1g}): its home, its {@code /tmp},
         * {@code /var/tmp}, {@code /run/lock} and {@code /dev/shm} (one private directory for the four) and its screen
         * recording are one {@code tmpfs} of this size of its own, mounted anew at every reset ({@code fleet/DesktopDisk};
         * a write past it fails with {@code ENOSPC}). tmpfs is memory: what the worker writes counts against
         * {@link #maxMemory()} too (the kernel charges the pages to the writer's control group), so keep it below that.
         * Needs a root agent; without one the desktops' writes are not bounded (a warning at start).
         */
        @WithDefault("1g")
        MemorySize maxDisk();
    }

    /** {@code envgrid.device-agent.desktop.auth} and {@code envgrid.device-agent.tools.auth}: {@code lease} or {@code open}. */
    enum DesktopAuth {
        LEASE, OPEN
    }

    interface LinuxHost {
        /** Offer the host itself as a {@code linux} device. */
        @WithDefault("true")
        boolean enabled();

        /** Device id of the host; the host name when unset. */
        Optional<String> deviceId();

        /**
         * The uid (and gid) the host device's commands run as when the agent is root: its own, shared with no desktop
         * or exec user, so that its reset between leases can end every process of it ({@code fleet/HostDevice}). The
         * default sits just below the hosted desktops' range ({@code desktops.first-uid}, 61000 and up).
         */
        @WithDefault("60999")
        int uid();

        /**
         * Offer the host device to the allocator even when the agent cannot reset it between leases (not root, so no
         * user of its own: a holder's leftover processes would act on the next holder's files). Off by default; on
         * only where every holder is trusted alike (warned at start).
         */
        @WithDefault("false")
        boolean leaseWithoutReset();

        /**
         * The network namespace the host device's commands run in ({@code fleet/HostDevice}, with the desktops'
         * {@code fleet/DesktopNetwork}): {@code private} a namespace of its own with only a loopback interface, made
         * anew at every reset (no route out; the host's loopback listeners and abstract socket names, the desktops' X
         * names among them, out of its reach), {@code shared} the host's. Unset: {@code private} when the agent is
         * root (so the device has a uid of its own and is reset between leases), else {@code shared}; {@code private}
         * set explicitly on an agent that is not root stops it at start.
         */
        Optional<DesktopNetworkMode> network();

        /**
         * The bytes the host device's commands can write, in total (a size such as {@code 1g}): its {@code files/}
         * directory and what its commands see as {@code /tmp}, {@code /var/tmp}, {@code /run/lock} and {@code /dev/shm}
         * (one private directory for the four, in a mount namespace of its own) are one {@code tmpfs} of this size at
         * {@code <data-dir>/.disk/host-device}, mounted anew at every reset ({@code fleet/DesktopDisk}, as a hosted
         * desktop's; a write past it fails with {@code ENOSPC}, the host's disk and the agent's records untouched).
         * tmpfs is memory: what it holds counts against the host device's control group's memory. Only where the
         * device is reset between leases (a root agent); otherwise its writes are not bounded (a warning at start).
         */
        @WithDefault("1g")
        MemorySize maxDisk();
    }

    interface Adb {
        @WithDefault("true")
        boolean enabled();

        /** The {@code adb} binary; found on PATH by default. */
        @WithDefault("adb")
        String path();

        /**
         * The directory of the agent's adb server's Unix socket ({@code adb.sock}) and log; {@code <data-dir>/adb-server}
         * when unset. The agent makes it mode 0700 and refuses to start if it belongs to another uid, is not a
         * directory, or its socket path would not fit a Unix socket address (107 bytes): only the agent's uid may
         * reach its adb server ({@code driver/AdbServer}).
         */
        Optional<Path> serverDir();
    }
}

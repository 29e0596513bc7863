package io.envgrid.deviceagent.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The route out of a desktop's own network namespace ({@code envgrid.device-agent.desktops.network=outbound}): a
 * {@code slirp4netns} process, run by the agent (root) in the host's namespace, that gives the namespace a {@code tap0}
 * with {@code 10.0.2.100/24} and a default route via {@code 10.0.2.2}, and opens the desktop's connections itself as
 * ordinary sockets of the host (user-mode NAT: nothing of the host's firewall or routes changes).
 *
 * <p>What the desktop reaches through it: every address the host reaches, except
 * <ul>
 * <li>the host's loopback: {@code --disable-host-loopback} (slirp4netns' {@code 10.0.2.2} would otherwise be the host's
 * {@code 127.0.0.1}, with Redis, the agent's ports and the other desktops' local servers on it);
 * <li>{@link #BLOCKED} (private, shared and link-local IPv4 ranges: the hosts of the operator's own networks, a cloud's
 * metadata service on {@code 169.254.169.254}): a {@code prohibit} route for each in the namespace, so a connection
 * there fails at once ({@code EACCES}) and never reaches slirp4netns. The worker, an unprivileged user without
 * {@code CAP_NET_ADMIN} in a namespace the agent made, cannot change them. Exceptions are routes via the gateway,
 * more specific or equal, which win: the operator's {@code desktops.outbound-allow} ranges only. No nameserver is
 * opened by a route (a route cannot filter by port: the host's nameserver is often the cloud's metadata server
 * {@code 169.254.169.254}, the node itself, or the office router): names resolve through slirp4netns' own DNS
 * forwarder {@link #NAMESERVER}, which forwards port 53 only, named by the desktop's own {@code resolv.conf}
 * ({@link DesktopNetwork#outbound});
 * <li>the host's own IPv4 addresses (read at every start): a {@code prohibit} route for each not in an allowed range,
 * as slirp4netns' connection to one of them reaches every {@code 0.0.0.0} listener of the host (the agent's port, the
 * other desktops' ports) whatever range it is in;
 * <li>IPv6: slirp4netns runs without {@code --enable-ipv6}, the namespace has no IPv6 route out.
 * </ul>
 *
 * <p>slirp4netns runs as root and opens nothing a worker controls: no API socket (no {@code --api-socket}), the
 * namespace named by its root-owned {@code /run/netns} file, working directory {@code /}, its standard streams pipes of
 * the agent; with {@code --enable-seccomp}. Not {@code --enable-sandbox}: its new mount namespace unmounts the
 * namespace's {@code /run/netns} binding on the host too ({@code /run/netns} is a shared mount), so every later
 * {@code nsenter} into the desktop's namespace failed (seen here). Its standard input is its exit descriptor
 * ({@code --exit-fd=0}): when the agent dies, even by SIGKILL, the pipe closes and slirp4netns ends; the agent's start
 * also kills any left with a namespace named with its prefix ({@link #stopLeftovers}).
 */
final class DesktopRouteOut {

    private static final Logger LOG = Logger.getLogger(DesktopRouteOut.class);
    private static final List<Path> SLIRP4NETNS = List.of(Path.of("/usr/bin/slirp4netns"), Path.of("/bin/slirp4netns"),
            Path.of("/usr/local/bin/slirp4netns"));
    /** slirp4netns' defaults for {@code --cidr=10.0.2.0/24}: its gateway (and NAT to the host), the desktop's side. */
    static final String GATEWAY = "10.0.2.2";
    static final String DEVICE = "tap0";
    /**
     * slirp4netns' DNS forwarder for {@code --cidr=10.0.2.0/24}: inside the namespace's connected {@code 10.0.2.0/24},
     * so no route blocks it; slirp4netns forwards its port 53 (UDP and TCP) to the first nameserver of the host's
     * {@code /etc/resolv.conf} and nothing else (other ports: {@code ENETUNREACH}).
     */
    static final String NAMESERVER = "10.0.2.3";
    /**
     * IPv4 ranges a desktop's connections never reach unless allowed: RFC 1918 private networks, the shared address
     * space of carrier-grade NAT (RFC 6598, also used by clouds inside), link-local (cloud metadata services).
     */
    static final List<String> BLOCKED = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
            "169.254.0.0/16");
    /** How long slirp4netns may take to make and configure {@code tap0}. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    /** How long slirp4netns may take to end once its exit descriptor closed, before SIGKILL. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);
    /** What slirp4netns last wrote on its standard error, kept for the reason of a failure. */
    private static final int KEPT_ERROR_BYTES = 4096;

    private final String namespace;
    private final List<String> allowed;
    /** The words that start slirp4netns inside the desktop's control group; empty without one. */
    private final List<String> join;
    private Process slirp;

    /**
     * @param namespace the name of the desktop's namespace under {@link DesktopNetwork#NAMESPACES}
     * @param allowed IPv4 ranges ({@code a.b.c.d/n}, checked by {@link #checkedRanges}) reachable even when
     *            {@link #BLOCKED} covers them
     */
    DesktopRouteOut(String namespace, List<String> allowed) {
        this(namespace, allowed, java.util.Optional.empty());
    }

    /**
     * @param cgroup the desktop's control group, which slirp4netns joins before it runs ({@link DesktopCgroup#joinPrefix}):
     *            its memory and descriptors grow with the desktop's connections, so they count against the desktop, and
     *            the reset's kill of the group reaches it too
     */
    DesktopRouteOut(String namespace, List<String> allowed, java.util.Optional<io.envgrid.deviceagent.cgroup.DesktopCgroup> cgroup) {
        this.namespace = namespace;
        this.allowed = List.copyOf(allowed);
        this.join = cgroup.map(io.envgrid.deviceagent.cgroup.DesktopCgroup::joinPrefix).orElse(List.of());
    }

    /**
     * Starts slirp4netns for the namespace (just made by {@link DesktopNetwork#renew()}), waits until it configured
     * {@code tap0}, then adds the blocking and allowing routes.
     *
     * @throws ResetFailure when slirp4netns is missing, fails or is not ready in time, or a route cannot be
     *             added: the desktop does not come up rather than without its blocks
     */
    synchronized void start() throws ResetFailure {
        stop();
        Path file = DesktopNetwork.NAMESPACES.resolve(namespace);
        Path program = SLIRP4NETNS.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> failure(
                "slirp4netns not found in " + SLIRP4NETNS + " (Debian package slirp4netns)"));
        List<String> command = List.of(program.toString(), "--configure", "--mtu=65520", "--disable-host-loopback",
                "--enable-seccomp", "--exit-fd=0", "--ready-fd=1", "--netns-type=path", file.toString(), DEVICE);
        List<String> joined = new java.util.ArrayList<>(join);
        joined.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(joined).directory(Path.of("/").toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        try {
            slirp = builder.start();
        } catch (IOException e) {
            throw failure("cannot start slirp4netns: " + e.getMessage());
        }
        CompletableFuture<String> errors = drain(slirp.getErrorStream());
        try {
            awaitReady(slirp);
            addRoutes();
        } catch (IllegalStateException e) {
            stop();
            String said = errors.completeOnTimeout("", 1, TimeUnit.SECONDS).join().strip();
            throw failure(e.getMessage() + (said.isEmpty() ? "" : "; slirp4netns said: " + said));
        }
    }

    /**
     * The blocking routes (the ranges, then the host's own addresses not allowed), then the allowing ones (which
     * replace a blocking one of the same range), by one {@code ip -batch}: one process instead of one per route, which
     * cost ~12 ms each.
     */
    private void addRoutes() {
        StringBuilder batch = new StringBuilder();
        BLOCKED.forEach(range -> batch.append("route add prohibit ").append(range).append('\n'));
        hostAddresses().stream().filter(address -> allowed.stream().noneMatch(range -> covers(range, address)))
                .forEach(address -> batch.append("route replace prohibit ").append(address).append("/32\n"));
        allowed.forEach(range -> batch.append("route replace ").append(range).append(" via ").append(GATEWAY)
                .append(" dev ").append(DEVICE).append('\n'));
        Path file = null;
        try {
            // the agent's own file (0600, a new name of its own): ip reads it as root
            file = Files.createTempFile("envgrid-routes-", ".batch");
            Files.writeString(file, batch, StandardCharsets.US_ASCII);
            DesktopNetwork.ip("-n", namespace, "-batch", file.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the routes' batch file: " + e.getMessage(), e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.debugf("cannot delete %s: %s", file, e);
                }
            }
        }
    }

    /** Stops slirp4netns, if it runs: closes its exit descriptor, then SIGKILL after a grace. Never fails. */
    synchronized void stop() {
        Process running = slirp;
        slirp = null;
        if (running == null) {
            return;
        }
        try {
            running.getOutputStream().close();
        } catch (IOException e) {
            // gone already: the kill below finds nothing
        }
        try {
            if (!running.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                running.destroyForcibly();
                running.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            running.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The running slirp4netns, if any (tests). */
    synchronized Optional<ProcessHandle> process() {
        return Optional.ofNullable(slirp).filter(Process::isAlive).map(Process::toHandle);
    }

    /**
     * Kills every slirp4netns whose namespace is a {@link DesktopNetwork#NAMESPACES} file named with {@code prefix}:
     * those a former run of this agent left, if its exit descriptor did not end them (it normally does).
     */
    static void stopLeftovers(String prefix) {
        String mark = DesktopNetwork.NAMESPACES.resolve(prefix).toString();
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            all.filter(p -> isSlirpFor(p, mark)).forEach(p -> {
                LOG.infof("killing slirp4netns %d a former run of this agent left", p.pid());
                p.destroyForcibly();
            });
        }
    }

    /**
     * Checks the operator's {@code desktops.outbound-allow} entries: each an IPv4 range {@code a.b.c.d/n}.
     *
     * @throws IllegalStateException naming the first one that is not (the agent does not start)
     */
    static List<String> checkedRanges(List<String> ranges) {
        for (String range : ranges) {
            String[] parts = range.strip().split("/", -1);
            boolean valid = parts.length == 2 && parts[0].matches("\\d{1,3}(\\.\\d{1,3}){3}")
                    && parts[1].matches("\\d{1,2}") && Integer.parseInt(parts[1]) <= 32;
            if (valid) {
                for (String octet : parts[0].split("\\.")) {
                    valid &= Integer.parseInt(octet) <= 255;
                }
            }
            if (!valid) {
                throw new IllegalStateException("envgrid.device-agent.desktops.outbound-allow: '" + range
                        + "' is not an IPv4 range a.b.c.d/n");
            }
        }
        return ranges.stream().map(String::strip).toList();
    }

    /**
     * The IPv4 addresses of the host's interfaces but loopback ({@code 127.0.0.0/8} is the namespace's own {@code lo}),
     * read anew at every start (an address may come or go). IPv6 ones need no block: the namespace has no IPv6 route.
     *
     * @throws IllegalStateException when the interfaces cannot be read (the desktop does not come up without its
     *             blocks)
     */
    static Set<String> hostAddresses() {
        try {
            Set<String> addresses = new LinkedHashSet<>();
            for (NetworkInterface device : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
                device.inetAddresses().filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                        .forEach(a -> addresses.add(a.getHostAddress()));
            }
            return addresses;
        } catch (SocketException e) {
            throw new IllegalStateException("cannot read the host's addresses: " + e.getMessage(), e);
        }
    }

    /** Whether the IPv4 range {@code a.b.c.d/n} (checked by {@link #checkedRanges}) holds the IPv4 {@code address}. */
    static boolean covers(String range, String address) {
        String[] parts = range.split("/");
        int bits = Integer.parseInt(parts[1]);
        long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
        return (toLong(parts[0]) & mask) == (toLong(address) & mask);
    }

    private static long toLong(String address) {
        long value = 0;
        for (String octet : address.split("\\.")) {
            value = value << 8 | Integer.parseInt(octet);
        }
        return value;
    }

    /**
     * Waits for slirp4netns' ready mark ({@code --ready-fd=1}: a {@code 1} at the start of a line of its standard
     * output, after any warning lines such as seccomp's). The reading thread goes on reading to the end, so a full
     * pipe never stops slirp4netns.
     */
    private static void awaitReady(Process process) {
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        daemon("slirp4netns-out", () -> {
            try (InputStream out = process.getInputStream()) {
                boolean lineStart = true;
                for (int b = out.read(); b >= 0; b = out.read()) {
                    if (lineStart && b == '1') {
                        ready.complete(true);
                    }
                    lineStart = b == '\n';
                }
            } catch (IOException e) {
                // the pipe closed under us: slirp4netns is gone
            }
            ready.complete(false);
        });
        boolean isReady;
        try {
            isReady = ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException("slirp4netns not ready within " + READY_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for slirp4netns");
        }
        if (!isReady) {
            throw new IllegalStateException("slirp4netns ended before its network was up");
        }
    }

    /**
     * Reads slirp4netns' standard error to its end on a thread of its own (so a full pipe never stops it),
     * completing with its last {@value #KEPT_ERROR_BYTES} characters.
     */
    private static CompletableFuture<String> drain(InputStream errors) {
        CompletableFuture<String> said = new CompletableFuture<>();
        daemon("slirp4netns-err", () -> {
            StringBuilder kept = new StringBuilder();
            byte[] buffer = new byte[1024];
            try (errors) {
                for (int n = errors.read(buffer); n >= 0; n = errors.read(buffer)) {
                    kept.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    if (kept.length() > KEPT_ERROR_BYTES) {
                        kept.delete(0, kept.length() - KEPT_ERROR_BYTES);
                    }
                }
            } catch (IOException e) {
                // the pipe closed under us: what was read is kept
            }
            said.complete(kept.toString());
        });
        return said;
    }

    /** Blocking reads of a process's pipes get threads of their own, never the common pool's few. */
    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static boolean isSlirpFor(ProcessHandle process, String mark) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
            List<String> words = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
            return !words.isEmpty() && Path.of(words.get(0)).getFileName() != null
                    && Path.of(words.get(0)).getFileName().toString().equals("slirp4netns")
                    && words.stream().anyMatch(w -> w.startsWith(mark));
        } catch (IOException | UncheckedIOException | java.nio.file.InvalidPathException e) {
            return false; // gone meanwhile, or not ours to read
        }
    }

    private ResetFailure failure(String reason) {
        String message = "cannot give the desktop's network namespace " + namespace + " its route out "
                + "(desktops.network=outbound needs a root agent and slirp4netns): " + reason;
        LOG.errorf("*** a hosted desktop does not come up: %s ***", message);
        return new ResetFailure(message);
    }
}

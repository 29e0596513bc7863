package io.envgrid.deviceagent.support;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A real Redis master, its replica and three Sentinels watching them, each its own process on a free loopback
 * port, configured to fail over fast (master down after {@value #DOWN_AFTER_MS} ms). The binary is a
 * {@code redis-server} found on PATH, else the one inside the embedded-redis jar (what {@code ./envgrid test}
 * runs); a Sentinel is {@code redis-sentinel} from PATH, else that binary with {@code --sentinel} (the same
 * thing). Data and logs go under the given directory. The allocator's test support starts the same topology (services
 * share no test library); here it is the Redis the lease channel follows through a failover.
 */
public final class RedisSentinels implements AutoCloseable {

    /** The name the Sentinels monitor the master under ({@code lease-channel-redis-master-name}). */
    public static final String MASTER_NAME = "envgrid";
    private static final int DOWN_AFTER_MS = 1000;
    private static final int SENTINELS = 3;

    private final Path dir;
    private final Map<Integer, Process> servers = new HashMap<>();
    private final List<Process> sentinels = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();

    private RedisSentinels(Path dir) {
        this.dir = dir;
    }

    /** Starts the master, the replica in sync with it, and three Sentinels that know both and each other. */
    public static RedisSentinels start(Path dir) {
        RedisSentinels topology = new RedisSentinels(dir);
        try {
            Files.createDirectories(dir);
            int master = topology.startServer(null);
            int replica = topology.startServer(master);
            awaitReplicaInSync(replica);
            for (int i = 0; i < SENTINELS; i++) {
                topology.startSentinel(master);
            }
            topology.awaitSentinelsReady();
            return topology;
        } catch (IOException e) {
            topology.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            topology.close();
            throw e;
        }
    }

    /** {@code lease-channel-redis} for {@code lease-channel-redis-client-type=sentinel}: every Sentinel. */
    public String sentinelHosts() {
        return sentinelPorts.stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /** The port of the master as the Sentinels name it now. */
    public int masterPort() {
        return masterPortSeenBy(sentinelPorts.get(0));
    }

    private static int masterPortSeenBy(int sentinel) {
        List<?> address = (List<?>) Resp.call(sentinel, "SENTINEL", "get-master-addr-by-name", MASTER_NAME);
        return Integer.parseInt((String) address.get(1));
    }

    /** Kills the current master (SIGKILL: no goodbye to its replica or clients); returns its port. */
    public int killMaster() {
        int port = masterPort();
        Process master = servers.remove(port);
        master.destroyForcibly();
        Conditions.await(() -> !master.isAlive(), "the master process gone");
        return port;
    }

    /**
     * Has the Sentinels fail over a master that is alive ({@code SENTINEL FAILOVER}): the replica is promoted and the
     * old master demoted to its replica. Returns the old master's port.
     */
    public int failOverLiveMaster() {
        int port = masterPort();
        Resp.call(sentinelPorts.get(0), "SENTINEL", "FAILOVER", MASTER_NAME);
        return port;
    }

    /**
     * Makes the master stop answering every client for {@code how long} ({@code CLIENT PAUSE … ALL}), the Sentinels
     * included, as a master cut off from them would; connections to it stay open. Returns its port.
     */
    public int cutOffMaster(Duration howLong) {
        int port = masterPort();
        Resp.call(port, "CLIENT", "PAUSE", Long.toString(howLong.toMillis()), "ALL");
        return port;
    }

    /** Waits until every Sentinel names a master other than {@code oldPort} and that server answers as a master. */
    public int awaitFailoverFrom(int oldPort, Duration timeout) {
        Conditions.await(() -> sentinelPorts.stream().allMatch(s -> masterPortSeenBy(s) != oldPort),
                "every Sentinel to name a new master", timeout);
        int port = masterPort();
        Conditions.await(() -> "master".equals(((List<?>) Resp.call(port, "ROLE")).get(0)), "the promoted replica a master",
                timeout);
        return port;
    }

    @Override
    public void close() {
        sentinels.forEach(Process::destroyForcibly);
        servers.values().forEach(Process::destroyForcibly);
    }

    private int startServer(Integer masterPort) throws IOException {
        int port = PackagedService.freePort();
        Path data = Files.createDirectories(dir.resolve("redis-" + port));
        List<String> command = new ArrayList<>(List.of(redisServer().toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", data.toString()));
        if (masterPort != null) {
            command.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)));
        }
        servers.put(port, launch(command, data.resolve("redis.log")));
        awaitPing(port);
        return port;
    }

    private void startSentinel(int masterPort) throws IOException {
        int port = PackagedService.freePort();
        Path home = Files.createDirectories(dir.resolve("sentinel-" + port));
        // Sentinel rewrites its configuration file as it learns the topology, so each has its own.
        Path conf = home.resolve("sentinel.conf");
        Files.writeString(conf, String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "dir " + home,
                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 2",
                "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MS,
                "sentinel failover-timeout " + MASTER_NAME + " 5000",
                "sentinel parallel-syncs " + MASTER_NAME + " 1", ""));
        sentinels.add(launch(sentinelCommand(conf), home.resolve("sentinel.log")));
        sentinelPorts.add(port);
        awaitPing(port);
    }

    /** Every Sentinel has found the replica and the two other Sentinels, so a failover can be voted at once. */
    private void awaitSentinelsReady() {
        for (int port : sentinelPorts) {
            Conditions.await(() -> ((List<?>) Resp.call(port, "SENTINEL", "replicas", MASTER_NAME)).size() == 1
                            && ((List<?>) Resp.call(port, "SENTINEL", "sentinels", MASTER_NAME)).size() == SENTINELS - 1,
                    "Sentinel on " + port + " to know the replica and the other Sentinels", Duration.ofSeconds(30));
        }
    }

    private static void awaitReplicaInSync(int port) {
        Conditions.await(() -> ((String) Resp.call(port, "INFO", "replication")).contains("master_link_status:up"),
                "the replica in sync", Duration.ofSeconds(30));
    }

    private static void awaitPing(int port) {
        Conditions.await(() -> {
            try {
                return "PONG".equals(Resp.call(port, "PING"));
            } catch (UncheckedIOException e) {
                return false;
            }
        }, "redis on " + port + " answering", Duration.ofSeconds(30));
    }

    private static Process launch(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static List<String> sentinelCommand(Path conf) {
        return onPath("redis-sentinel").map(bin -> List.of(bin.toString(), conf.toString()))
                .orElseGet(() -> List.of(redisServer().toString(), conf.toString(), "--sentinel"));
    }

    /** Debian's redis-server, else the one inside the embedded-redis jar, copied under target/ once. */
    static synchronized Path redisServer() {
        Optional<Path> installed = onPath("redis-server");
        if (installed.isPresent()) {
            return installed.get();
        }
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String name = "redis-server-7.0.15-linux-" + (arch.contains("aarch64") || arch.contains("arm64") ? "arm64" : "amd64");
        Path bin = Path.of("target", "redis-bin", name).toAbsolutePath();
        if (!Files.isExecutable(bin)) {
            try (InputStream in = RedisSentinels.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("no redis-server on PATH and no " + name + " in embedded-redis");
                }
                Files.createDirectories(bin.getParent());
                Path partial = Files.createTempFile(bin.getParent(), name, ".part");
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                partial.toFile().setExecutable(true);
                Files.move(partial, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bin;
    }

    private static Optional<Path> onPath(String binary) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, binary);
            if (!entry.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}

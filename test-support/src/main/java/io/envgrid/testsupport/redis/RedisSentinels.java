package io.envgrid.testsupport.redis;

import static io.envgrid.testsupport.wait.Poll.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Redis as the prod overlay runs it, as processes on free loopback ports: a master, one replica and three Sentinels
 * (quorum 2) that promote the replica {@value #DOWN_AFTER_MS} ms after the master stops answering. The faults are
 * {@link #killMaster()} (SIGKILL), {@link #failOverLiveMaster()} ({@code SENTINEL FAILOVER}) and
 * {@link #cutOffMaster(Duration)} ({@code CLIENT PAUSE … ALL}); {@link #restartAsReplica(int)} brings a dead server back
 * on its port as a replica of the new master, as a StatefulSet pod would come back.
 *
 * <p>The binary is {@code redis-server} on PATH, else the 7.0.15 one inside the embedded-redis jar (what
 * {@code ./envgrid test} runs; the jar must be on the class path); a Sentinel is {@code redis-sentinel} from PATH,
 * else that binary with {@code --sentinel} (the same program). Data and logs go under the given directory.
 */
public final class RedisSentinels implements AutoCloseable {

    /** The name the Sentinels monitor the master under ({@code quarkus.redis.master-name} and the like). */
    public static final String MASTER_NAME = "envgrid";
    /**
     * 3 s: with 1 s a promoted master busy with its first full resync on a loaded machine (load 12) missed the
     * Sentinels' pings for just over a second, and they failed over again, to the server just restarted empty.
     */
    private static final int DOWN_AFTER_MS = 3000;
    private static final int SENTINELS = 3;

    private final Path dir;
    private final Map<Integer, Process> servers = new HashMap<>();
    private final List<Process> sentinels = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();

    private RedisSentinels(Path dir) {
        this.dir = dir;
    }

    /**
     * Starts the master, its replica (in sync) and three Sentinels that know both and each other, so a failover can be
     * voted at once. The processes are also killed when the JVM exits.
     *
     * @throws UncheckedIOException when a process cannot be started; anything started is stopped again
     */
    public static RedisSentinels start(Path dir) {
        RedisSentinels topology = new RedisSentinels(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(topology::close));
        try {
            Files.createDirectories(dir);
            int master = topology.startServer(freePort(), null);
            int replica = topology.startServer(freePort(), master);
            awaitReplicaInSync(replica);
            for (int i = 0; i < SENTINELS; i++) {
                topology.startSentinel(master);
            }
            for (int port : topology.sentinelPorts) {
                await("Sentinel " + port + " to know the replica and the other Sentinels", Duration.ofSeconds(30),
                        () -> ((List<?>) Resp.call(port, "SENTINEL", "replicas", MASTER_NAME)).size() == 1
                                && ((List<?>) Resp.call(port, "SENTINEL", "sentinels", MASTER_NAME)).size() == SENTINELS - 1);
            }
            return topology;
        } catch (IOException e) {
            topology.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            topology.close();
            throw e;
        }
    }

    /** The client's host list for Sentinel mode ({@code quarkus.redis.hosts} with {@code client-type=sentinel}). */
    public String sentinelHosts() {
        return sentinelPorts.stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /** The master's port as the first Sentinel names it now. */
    public int masterPort() {
        return masterPortSeenBy(sentinelPorts.get(0));
    }

    private static int masterPortSeenBy(int sentinel) {
        List<?> address = (List<?>) Resp.call(sentinel, "SENTINEL", "get-master-addr-by-name", MASTER_NAME);
        return Integer.parseInt((String) address.get(1));
    }

    /** Kills the current master (SIGKILL: no goodbye to its replica or clients); returns its port. */
    public synchronized int killMaster() {
        int port = masterPort();
        Process master = servers.remove(port);
        master.destroyForcibly();
        await("the master process gone", Duration.ofSeconds(10), () -> !master.isAlive());
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
     * Makes the master stop answering every client for {@code howLong} ({@code CLIENT PAUSE … ALL}), the Sentinels
     * included, as a master cut off from them would; connections to it stay open. Returns its port.
     */
    public int cutOffMaster(Duration howLong) {
        int port = masterPort();
        Resp.call(port, "CLIENT", "PAUSE", Long.toString(howLong.toMillis()), "ALL");
        return port;
    }

    /**
     * Waits until every Sentinel names a master other than {@code oldPort} and that server answers as a master.
     *
     * @return the new master's port
     * @throws AssertionError when that does not happen within {@code timeout}
     */
    public int awaitFailoverFrom(int oldPort, Duration timeout) {
        await("every Sentinel to name a new master", timeout,
                () -> sentinelPorts.stream().allMatch(s -> masterPortSeenBy(s) != oldPort));
        int port = masterPort();
        await("the promoted replica a master", timeout, () -> "master".equals(((List<?>) Resp.call(port, "ROLE")).get(0)));
        return port;
    }

    /**
     * Starts a server on the dead master's {@code port} as a replica of the current master and waits for the sync. It
     * starts empty, so until it is in sync it has {@code replica-priority 0}: the Sentinels never promote it, as they
     * did once when the new master stalled (a second failover to it would have the new master resync from an empty
     * server and lose everything). In sync, it is an ordinary candidate again.
     */
    public synchronized void restartAsReplica(int port) {
        try {
            startServer(port, masterPort(), "--replica-priority", "0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReplicaInSync(port);
        Resp.call(port, "CONFIG", "SET", "replica-priority", "100");
    }

    @Override
    public synchronized void close() {
        sentinels.forEach(Process::destroyForcibly);
        servers.values().forEach(Process::destroyForcibly);
    }

    private int startServer(int port, Integer masterPort, String... extraArguments) throws IOException {
        Path data = Files.createDirectories(dir.resolve("redis-" + port));
        List<String> command = new ArrayList<>(List.of(RedisBinary.server().toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", data.toString()));
        if (masterPort != null) {
            command.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)));
        }
        command.addAll(List.of(extraArguments));
        servers.put(port, launch(command, data.resolve("redis.log")));
        awaitPing(port);
        return port;
    }

    private void startSentinel(int masterPort) throws IOException {
        int port = freePort();
        Path home = Files.createDirectories(dir.resolve("sentinel-" + port));
        // a Sentinel rewrites its configuration file as it learns the topology, so each has its own
        Path conf = home.resolve("sentinel.conf");
        Files.writeString(conf, String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "dir " + home,
                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 2",
                "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MS,
                "sentinel failover-timeout " + MASTER_NAME + " 5000",
                "sentinel parallel-syncs " + MASTER_NAME + " 1", ""));
        List<String> command = RedisBinary.onPath("redis-sentinel").map(bin -> List.of(bin.toString(), conf.toString()))
                .orElseGet(() -> List.of(RedisBinary.server().toString(), conf.toString(), "--sentinel"));
        sentinels.add(launch(command, home.resolve("sentinel.log")));
        sentinelPorts.add(port);
        awaitPing(port);
    }

    private static void awaitReplicaInSync(int port) {
        await("the replica on " + port + " in sync", Duration.ofSeconds(60),
                () -> ((String) Resp.call(port, "INFO", "replication")).contains("master_link_status:up"));
    }

    private static void awaitPing(int port) {
        await("redis on " + port + " answering", Duration.ofSeconds(30), () -> "PONG".equals(Resp.call(port, "PING")));
    }

    private static Process launch(List<String> command, Path log) throws IOException {
        // appended: a server restarted on its port keeps the earlier log
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

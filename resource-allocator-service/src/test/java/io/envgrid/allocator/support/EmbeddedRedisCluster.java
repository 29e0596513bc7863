package io.envgrid.allocator.support;

import io.envgrid.testsupport.process.PackagedApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import redis.embedded.RedisServer;

/**
 * A real Redis Cluster of three masters (no replicas) on free loopback ports, from the redis-server
 * binary inside org.signal:embedded-redis. It is formed the way {@code redis-cli --cluster create}
 * forms one — each master takes a third of the 16384 slots, gets its own config epoch, and meets the
 * first — but over the Redis protocol, so the tests need no redis-cli on the machine. {@link #start}
 * returns once every master reports {@code cluster_state:ok}.
 */
public final class EmbeddedRedisCluster implements AutoCloseable {

    /** Slots of a Redis Cluster (fixed by the protocol). */
    private static final int SLOTS = 16384;
    private static final int MASTERS = 3;
    private static final Duration FORM_TIMEOUT = Duration.ofSeconds(30);

    /** One master: its client and cluster bus ports, the slots it serves ({@code first..last}) and its process. */
    public record Master(int port, int busPort, int firstSlot, int lastSlot, RedisServer server) {

        public String url() {
            return "redis://127.0.0.1:" + port;
        }

        public boolean owns(long slot) {
            return slot >= firstSlot && slot <= lastSlot;
        }
    }

    private final List<Master> masters;
    private final Path dir;

    private EmbeddedRedisCluster(List<Master> masters, Path dir) {
        this.masters = List.copyOf(masters);
        this.dir = dir;
    }

    /** Starts three masters, assigns the slots, joins them and waits until the cluster serves every slot. */
    public static EmbeddedRedisCluster start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("envgrid-redis-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Master> masters = new ArrayList<>();
        for (int i = 0; i < MASTERS; i++) {
            int port = PackagedApp.freePort();
            // The cluster bus port is set explicitly: the default (port + 10000) can lie past 65535.
            int busPort = PackagedApp.freePort();
            RedisServer server = RedisServer.builder().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no")
                    .setting("cluster-enabled yes")
                    .setting("cluster-port " + busPort)
                    .setting("cluster-config-file nodes-" + port + ".conf")
                    .setting("cluster-node-timeout 2000")
                    .setting("dir " + dir)
                    .build();
            server.start();
            int first = i * SLOTS / MASTERS;
            int last = (i + 1) * SLOTS / MASTERS - 1;
            masters.add(new Master(port, busPort, first, last, server));
        }
        EmbeddedRedisCluster cluster = new EmbeddedRedisCluster(masters, dir);
        try {
            cluster.form();
        } catch (RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void form() {
        for (int i = 0; i < masters.size(); i++) {
            Master m = masters.get(i);
            try (SyncRedis node = new SyncRedis(m.url())) {
                node.call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(m.firstSlot()), Integer.toString(m.lastSlot()));
                node.call("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
            }
        }
        try (SyncRedis first = new SyncRedis(masters.get(0).url())) {
            for (Master m : masters.subList(1, masters.size())) {
                first.call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(m.port()), Integer.toString(m.busPort()));
            }
        }
        for (Master m : masters) {
            try (SyncRedis node = new SyncRedis(m.url())) {
                Conditions.await(() -> {
                    String info = node.call("CLUSTER", "INFO").toString();
                    return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + MASTERS);
                }, "master on port " + m.port() + " sees a complete cluster", FORM_TIMEOUT);
            }
        }
    }

    public List<Master> masters() {
        return masters;
    }

    /** The master that serves {@code key}'s slot (asked of the cluster itself). */
    public Master ownerOf(String key) {
        long slot;
        try (SyncRedis node = new SyncRedis(masters.get(0).url())) {
            slot = node.call("CLUSTER", "KEYSLOT", key).toLong();
        }
        return masters.stream().filter(m -> m.owns(slot)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no master owns slot " + slot));
    }

    /**
     * The seed list for {@code quarkus.redis.hosts}, with the owner of {@code key} last: a client
     * that sent a keyless command to the first seed would then miss that key's master.
     */
    public String hostsWithOwnerLast(String key) {
        Master owner = ownerOf(key);
        return masters.stream().sorted(Comparator.comparing((Master m) -> m.equals(owner)))
                .map(Master::url).collect(Collectors.joining(","));
    }

    /** Empties every master and flushes its script cache, as a freshly started cluster is. */
    public void reset() {
        for (Master m : masters) {
            try (SyncRedis node = new SyncRedis(m.url())) {
                node.call("FLUSHALL");
                node.call("SCRIPT", "FLUSH");
            }
        }
    }

    @Override
    public void close() {
        for (Master m : masters) {
            if (m.server().isActive()) {
                m.server().stop();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.envgrid.gateway.support;

import io.quarkus.redis.datasource.RedisDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The pub/sub connections this JVM (the gateway under test) holds on the shared test Redis, found by their local ports,
 * so a test can end them as a Redis restart or a lost connection would, leaving the other services' alone.
 */
public final class OwnPubSub {

    private OwnPubSub() {
    }

    /** Kills this JVM's pub/sub connections; answers how many were killed. */
    public static int kill(RedisDataSource redis) {
        List<String> ids = clientIds(redis);
        ids.forEach(id -> redis.execute("CLIENT", "KILL", "ID", id));
        return ids.size();
    }

    /** How many subscribers {@code channel} has now. */
    public static long subscribers(RedisDataSource redis, String channel) {
        return redis.execute("PUBSUB", "NUMSUB", channel).get(1).toLong();
    }

    /** The Redis client ids of this JVM's pub/sub connections. */
    public static List<String> clientIds(RedisDataSource redis) {
        Set<Integer> ports = ownTcpPorts();
        List<String> ids = new ArrayList<>();
        for (String line : redis.execute("CLIENT", "LIST", "TYPE", "pubsub").toString().split("\n")) {
            String id = field(line, "id");
            String addr = field(line, "addr");
            if (id != null && addr != null && ports.contains(Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1)))) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static String field(String line, String name) {
        for (String part : line.trim().split(" ")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** The local ports of this process's TCP sockets (Linux: its descriptors' socket inodes in /proc/net/tcp*). */
    private static Set<Integer> ownTcpPorts() {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile: not one of the connections looked for
                }
            });
            Set<Integer> ports = new HashSet<>();
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path path = Path.of(table);
                if (!Files.exists(path)) {
                    continue;
                }
                for (String row : Files.readAllLines(path)) {
                    String[] cols = row.trim().split("\\s+");
                    if (cols.length > 9 && inodes.contains(cols[9])) {
                        String local = cols[1];
                        ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
                    }
                }
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

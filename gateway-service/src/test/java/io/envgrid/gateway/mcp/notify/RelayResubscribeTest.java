package io.envgrid.gateway.mcp.notify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.cluster.Replica;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpStream;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A replica whose Redis pub/sub connection ended subscribes again ({@code redis/KeptSubscription}). Was: the client's
 * subscription <em>completes</em> when its connection ends, only a failure was retried, and the relay of session
 * messages to the streams this replica holds stopped for good, unlogged: a subscribed session's lease update was
 * recorded in its event stream and published to a channel nobody listened to (the standalone stream never got it).
 */
@QuarkusTest
@WithCluster
class RelayResubscribeTest {

    private static final String TYPE = "vm_resubscribe";
    private static final String LEASES = "envgrid://worker/leases";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/mcp")
    URL mcp;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    @Inject
    Replica replica;

    @Test
    void aSessionGetsItsUpdateAfterTheRelaysConnectionWasKilled() {
        TestCluster.get().register("resubscribe-" + UUID.randomUUID(), TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "resubscribe-" + UUID.randomUUID();
        String channel = keys.replicaChannel(replica.id());
        try (McpStream client = McpStream.initialize(mcp.toString()).openStream(mcp.toString())) {
            client.request("resources/subscribe", "{\"uri\":\"" + LEASES + "\"}");

            assertTrue(killOwnPubSubConnections() > 0, "this gateway holds pub/sub connections");
            Conditions.await("the relay subscribed again", WAIT, () -> subscribers(channel) > 0);

            JsonNode granted = client.request("tools/call", "{\"name\":\"allocate_single_resource\",\"arguments\":{"
                    + "\"worker_id\":\"" + worker + "\",\"resource_type\":\"" + TYPE + "\",\"timeout\":60}}");
            assertFalse(granted.path("result").path("isError").asBoolean(true), granted.toString());
            client.await("the grant's update", WAIT, McpStream.message("notifications/resources/updated", LEASES));
            client.request("tools/call", "{\"name\":\"release_batch_resources\",\"arguments\":{}}");
        }
    }

    private long subscribers(String channel) {
        return redis.execute("PUBSUB", "NUMSUB", channel).get(1).toLong();
    }

    /**
     * Kills the pub/sub connections of this JVM (the gateway under test) on the shared Redis, as a Redis restart or a
     * lost connection ends them; the other services' connections are left alone. Answers how many were killed.
     */
    private int killOwnPubSubConnections() {
        Set<Integer> ports = ownTcpPorts();
        int killed = 0;
        for (String line : redis.execute("CLIENT", "LIST", "TYPE", "pubsub").toString().split("\n")) {
            String id = field(line, "id");
            String addr = field(line, "addr");
            if (id != null && addr != null && ports.contains(Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1)))) {
                redis.execute("CLIENT", "KILL", "ID", id);
                killed++;
            }
        }
        return killed;
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

package io.envgrid.allocator.support;

import io.envgrid.allocator.support.Conditions;
import io.envgrid.testsupport.redis.Resp;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real master and its replica ({@link EmbeddedRedis}) for the classes carrying {@link WithRedisReplica}; the
 * allocator talks to the master. Tests may stop and start the replica to take its acknowledgements away.
 */
public class ReplicatedRedisTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedRedis master;
    private static EmbeddedRedis replica;

    @Override
    public Map<String, String> start() {
        master = EmbeddedRedis.start();
        replica = EmbeddedRedis.startReplicaOf(master);
        awaitReplicaInSync();
        return Map.of("quarkus.redis.hosts", master.url());
    }

    @Override
    public void stop() {
        if (replica != null) {
            replica.close();
        }
        if (master != null) {
            master.close();
        }
    }

    /** The master the allocator talks to (for writes a test makes on a connection of its own). */
    public static EmbeddedRedis master() {
        return master;
    }

    public static EmbeddedRedis replica() {
        return replica;
    }

    /** Waits until the replica has caught up with the master's stream. */
    public static void awaitReplicaInSync() {
        Conditions.await(() -> {
            try {
                return ((String) Resp.call(replica.port(), "INFO", "replication")).contains("master_link_status:up");
            } catch (java.io.UncheckedIOException e) {
                return false;
            }
        }, "the replica in sync", java.time.Duration.ofSeconds(30));
    }
}

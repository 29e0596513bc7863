package io.envgrid.allocator.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real three-master Redis Cluster ({@link EmbeddedRedisCluster}) for the test classes that carry
 * {@link WithRedisCluster}; the allocator talks to it with {@code quarkus.redis.client-type=cluster}.
 * The cluster is started once per JVM (forming one takes seconds) and stopped when the JVM exits, so
 * every application start that needs it reuses it. The seed list names the master owning the
 * allocator's slot last, so a command that is not routed by key is likely to miss it.
 */
public class RedisClusterTestResource implements QuarkusTestResourceLifecycleManager {

    /** The allocator's default key prefix, whose hash tag decides the master that holds its state. */
    public static final String PREFIX = "{envgrid}:";

    private static EmbeddedRedisCluster cluster;

    /** The running cluster, started on first use. */
    public static synchronized EmbeddedRedisCluster cluster() {
        if (cluster == null) {
            EmbeddedRedisCluster started = EmbeddedRedisCluster.start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
            cluster = started;
        }
        return cluster;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.redis.client-type", "cluster",
                "quarkus.redis.hosts", cluster().hostsWithOwnerLast(PREFIX));
    }

    @Override
    public void stop() {
        // Left running for the next application start; the shutdown hook stops it.
    }
}

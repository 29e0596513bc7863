package io.envgrid.allocator.support;

import io.envgrid.allocator.support.EmbeddedRedis;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real redis-server (see {@link EmbeddedRedis}) on a free port, for the test classes that carry
 * {@link WithRedis}. Tests may stop and restart it to simulate an outage; a restart comes back empty, as a
 * Redis without persistence does, with its script cache flushed.
 */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedRedis redis;

    @Override
    public Map<String, String> start() {
        redis = EmbeddedRedis.start();
        return Map.of("quarkus.redis.hosts", url());
    }

    @Override
    public void stop() {
        stopServer();
    }

    public static String url() {
        return redis.url();
    }

    public static synchronized void startServer() {
        redis.startServer();
    }

    public static synchronized void stopServer() {
        if (redis != null) {
            redis.stopServer();
        }
    }
}

package io.envgrid.deviceagent.support;

import io.envgrid.testsupport.process.PackagedApp;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import redis.embedded.RedisServer;

/**
 * The packaged allocator as a child JVM on its own real {@code redis-server} (the one inside org.signal:embedded-redis),
 * both on free ports; what {@link RealAllocator} and {@link AgentTokenAllocator} start, each with its own settings.
 */
final class AllocatorOnRedis implements AutoCloseable {

    private final RedisServer redis;
    private final int redisPort;
    private PackagedApp allocator;

    private AllocatorOnRedis(RedisServer redis, int redisPort) {
        this.redis = redis;
        this.redisPort = redisPort;
    }

    /**
     * Starts Redis, then the allocator with {@code settings} (and {@code quarkus.redis.hosts}); {@code name} names its log.
     * Nothing is left running when the allocator does not start.
     */
    static AllocatorOnRedis start(String name, Map<String, String> settings) {
        int port = PackagedApp.freePort();
        RedisServer redis = RedisServer.builder().port(port).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").build();
        redis.start();
        AllocatorOnRedis started = new AllocatorOnRedis(redis, port);
        try {
            Map<String, String> all = new HashMap<>(settings);
            all.put("quarkus.redis.hosts", "redis://127.0.0.1:" + port);
            started.allocator = PackagedApps.allocator(name, all);
            return started;
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
    }

    URI url() {
        return allocator.uri();
    }

    int redisPort() {
        return redisPort;
    }

    @Override
    public void close() {
        if (allocator != null) {
            allocator.close();
        }
        if (redis.isActive()) {
            redis.stop();
        }
    }
}

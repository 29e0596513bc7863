package io.envgrid.allocator.support;

import io.envgrid.testsupport.redis.RedisSentinels;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@link RedisSentinels} for the classes carrying {@link WithRedisSentinel}: the allocator reaches Redis only
 * through the Sentinels ({@code quarkus.redis.client-type=sentinel}), as in the prod overlay.
 */
public class RedisSentinelTestResource implements QuarkusTestResourceLifecycleManager {

    private static RedisSentinels topology;

    @Override
    public Map<String, String> start() {
        topology = RedisSentinels.start(Path.of("target", "sentinels-" + ProcessHandle.current().pid()));
        return Map.of("quarkus.redis.client-type", "sentinel", "quarkus.redis.hosts", topology.sentinelHosts(),
                "quarkus.redis.master-name", RedisSentinels.MASTER_NAME, "quarkus.redis.role", "master");
    }

    @Override
    public void stop() {
        if (topology != null) {
            topology.close();
        }
    }

    /** The running topology, for tests that kill its master. */
    public static RedisSentinels topology() {
        return topology;
    }
}

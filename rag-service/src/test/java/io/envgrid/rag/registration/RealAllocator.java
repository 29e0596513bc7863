package io.envgrid.rag.registration;

import io.envgrid.rag.PackagedService;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import redis.embedded.RedisServer;

/**
 * The real resource allocator for the registration test: its packaged application
 * ({@code ../resource-allocator-service/target/quarkus-app/quarkus-run.jar}, built earlier in the
 * reactor) as a child JVM on a real redis-server from embedded-redis.
 */
public class RealAllocator implements QuarkusTestResourceLifecycleManager {

    static String url;
    private RedisServer redis;
    private PackagedService allocator;

    @Override
    public Map<String, String> start() {
        Path app = Path.of("..", "resource-allocator-service", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        if (!Files.isRegularFile(app)) {
            throw new IllegalStateException(app + " is missing: build the allocator first (./envgrid test does)");
        }
        int redisPort = PackagedService.freePort();
        redis = RedisServer.builder().port(redisPort).bind("127.0.0.1").setting("save \"\"").build();
        redis.start();
        allocator = PackagedService.start(app, List.of("-Xmx256m"), Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + redisPort),
                Path.of("target", "allocator.log"));
        url = allocator.baseUrl();
        return Map.of("envgrid.allocator.url", url, "envgrid.rag.instance-id", "test",
                "envgrid.rag.registration.interval", "500ms");
    }

    @Override
    public void stop() {
        if (allocator != null) {
            allocator.stop();
        }
        if (redis != null) {
            redis.stop();
        }
    }
}

package io.envgrid.vmcontroller.support;

import io.envgrid.testsupport.process.PackagedApp;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import redis.embedded.RedisServer;

/**
 * A real redis-server (the binary inside org.signal:embedded-redis) on a free port, for the test
 * classes that declare {@link WithRedis}. A test may stop and restart it to simulate an outage; it comes back empty, as a
 * Redis without persistence does.
 */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {

    private static RedisServer server;

    @Override
    public Map<String, String> start() {
        int port = PackagedApp.freePort();
        server = RedisServer.builder().port(port).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").build();
        server.start();
        return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + port);
    }

    @Override
    public void stop() {
        stopServer();
    }

    public static synchronized void stopServer() {
        if (server != null && server.isActive()) {
            server.stop();
        }
    }

    public static synchronized void startServer() {
        if (!server.isActive()) {
            server.start();
        }
    }
}

package io.envgrid.allocator.support;

import io.envgrid.testsupport.net.TcpProxy;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real redis-server ({@link EmbeddedRedis}) that the application reaches only through a {@link TcpProxy}, so that a
 * test can cut this replica's path to Redis ({@code proxy().cut()}: its connections close, new ones are refused) while
 * Redis itself runs on and stays reachable directly ({@link #directUrl()}, {@link #directPort()}), as it does for
 * another replica. The application's {@code quarkus.redis.hosts} is the proxy's address.
 */
public class ProxiedRedisTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedRedis redis;
    private static TcpProxy proxy;

    @Override
    public Map<String, String> start() {
        redis = EmbeddedRedis.start();
        proxy = TcpProxy.to("127.0.0.1", redis.port());
        return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + proxy.port());
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** The application's path to Redis. */
    public static TcpProxy proxy() {
        return proxy;
    }

    /** Redis itself, not through the proxy (e.g. for {@link SyncRedis}). */
    public static String directUrl() {
        return redis.url();
    }

    /** Redis's own port (e.g. for {@link RawRedis#open(int)}). */
    public static int directPort() {
        return redis.port();
    }
}

package io.envgrid.gateway.smcp;

import io.envgrid.gateway.support.PackagedService;
import io.envgrid.gateway.support.TestCluster;
import java.util.Map;

/**
 * Two packaged gateway replicas on the test cluster's Redis (and its allocator, which their readiness checks), started
 * once for the SMCP tests: token auth on (the connect
 * {@code auth} token {@link #TOKEN}), a 1 s ping interval and 2 s ping timeout so dead members leave quickly.
 */
final class SmcpGateways {

    static final String TOKEN = "smcp-test-token";
    static final long PING_INTERVAL_MS = 1000;
    static final long PING_TIMEOUT_MS = 2000;

    private static SmcpGateways instance;
    private static RuntimeException failure;

    final TestCluster cluster;
    final PackagedService first;
    final PackagedService second;

    private SmcpGateways() {
        cluster = TestCluster.get();
        first = start("smcp-gateway-1");
        second = start("smcp-gateway-2");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            first.close();
            second.close();
        }));
    }

    static synchronized SmcpGateways get() {
        if (failure != null) {
            throw failure; // started once and failed: the later tests need not wait for it again
        }
        if (instance == null) {
            try {
                instance = new SmcpGateways();
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return instance;
    }

    /** Another replica on the same Redis (a test that kills one starts its own). */
    PackagedService start(String name) {
        return PackagedService.start(name, "gateway-service", Map.of(
                "quarkus.redis.hosts", cluster.redisUrl(),
                "envgrid.allocator.url", cluster.allocatorUrl(),
                "envgrid.vm-controller.url", cluster.vmControllerUrl(),
                "envgrid.gateway.auth.tokens", TOKEN + "=smcp-tester",
                "envgrid.gateway.smcp.ping-interval", PING_INTERVAL_MS + "ms",
                "envgrid.gateway.smcp.ping-timeout", PING_TIMEOUT_MS + "ms"));
    }
}

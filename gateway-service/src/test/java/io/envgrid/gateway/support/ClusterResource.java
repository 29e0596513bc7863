package io.envgrid.gateway.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the gateway under test at the shared {@link TestCluster}. */
public class ClusterResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        TestCluster cluster = TestCluster.get();
        return Map.of(
                "quarkus.redis.hosts", cluster.redisUrl(),
                "envgrid.allocator.url", cluster.allocatorUrl(),
                "envgrid.vm-controller.url", cluster.vmControllerUrl(),
                "envgrid.gateway.leases.keepalive-interval", "2s",
                "envgrid.gateway.mcp.sweep-interval", "500ms");
    }

    @Override
    public void stop() {
        // the cluster is shared by every test class and stops with the JVM
    }
}

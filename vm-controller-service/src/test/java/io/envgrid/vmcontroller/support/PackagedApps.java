package io.envgrid.vmcontroller.support;

import io.envgrid.testsupport.process.PackagedApp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The packaged applications this module's tests run, started through test-support's {@link PackagedApp}: the real
 * allocator of {@code session/RealAllocatorTest} and the controllers of the benchmark.
 */
public final class PackagedApps {

    private PackagedApps() {
    }

    /**
     * The real allocator ({@code ../resource-allocator-service/target/quarkus-app/quarkus-run.jar}, built before this
     * module's tests, e.g. {@code mvn -B install -DskipTests} at the root) on the given Redis, open (no tokens),
     * logging to {@code target/services/allocator.log}.
     */
    public static PackagedApp allocator(String redisHosts) {
        return PackagedApp.of("allocator", Path.of("..", "resource-allocator-service", "target", "quarkus-app",
                        "quarkus-run.jar"))
                .jvmOptions(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"))
                .properties(Map.of("quarkus.redis.hosts", redisHosts, "envgrid.allocator.auth", "open"))
                .whenMissing("build the allocator first (mvn -B install -DskipTests at the project root)").start();
    }

    /** This module's packaged controller, with the given settings, logging to {@code log}. */
    public static PackagedApp controller(Map<String, String> settings, Path log) {
        return PackagedApp.of("vm-controller", Path.of("target", "quarkus-app", "quarkus-run.jar"))
                .jvmOptions(List.of("-Xmx512m")).properties(settings).log(log).start();
    }
}

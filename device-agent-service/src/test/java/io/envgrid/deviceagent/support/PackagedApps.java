package io.envgrid.deviceagent.support;

import io.envgrid.testsupport.process.PackagedApp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The packaged applications this module's tests run, started through test-support's {@link PackagedApp} (logs in
 * {@code target/services/<name>.log}): this agent, after {@code package} (the failsafe tests, the benchmarks), and the
 * resource allocator, built before this module in the reactor.
 */
public final class PackagedApps {

    /** Generous: on this shared 2-core machine a packaged agent has taken over 70 s to start under load. */
    private static final java.time.Duration READY_WITHIN = java.time.Duration.ofSeconds(180);
    private static final List<String> JVM_OPTIONS = List.of("-Xmx256m");
    private static final Path AGENT = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private PackagedApps() {
    }

    /** This module's packaged agent with {@code settings}; ready once {@code /health} answers 200. */
    public static PackagedApp agent(String name, Map<String, String> settings) {
        return agent(AGENT, name, settings);
    }

    /** As {@link #agent(String, Map)} from another build's {@code quarkus-run.jar} (a benchmark's baseline). */
    public static PackagedApp agent(Path jar, String name, Map<String, String> settings) {
        return PackagedApp.of(name, jar).jvmOptions(JVM_OPTIONS).properties(settings).readyPath("/health")
                .readyWithin(READY_WITHIN).whenMissing("integration tests run after 'mvn package'").start();
    }

    /** The resource allocator's packaged application with {@code settings}. */
    public static PackagedApp allocator(String name, Map<String, String> settings) {
        return PackagedApp.of(name, Path.of("..", "resource-allocator-service", "target", "quarkus-app", "quarkus-run.jar"))
                .jvmOptions(JVM_OPTIONS).properties(settings).readyWithin(READY_WITHIN)
                .whenMissing("build the allocator first (cd resource-allocator-service && mvn -B -q package "
                        + "-DskipTests), or run mvn verify from the root")
                .start();
    }
}

package io.envgrid.rag.support;

import io.envgrid.testsupport.process.PackagedApp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The packaged applications this module's tests run, started through test-support's {@link PackagedApp}: this
 * module's rag-service (the failsafe tests, through {@link PackagedRagService}, and the benchmark) and the allocator
 * for {@code registration/RealAllocator}. Logs are appended to, so the log of a restarted service shows every run.
 */
public final class PackagedApps {

    private PackagedApps() {
    }

    /** This module's packaged rag-service, with its settings given as system properties. */
    public static PackagedApp ragService(List<String> jvmOptions, Map<String, String> settings, Path log) {
        return PackagedApp.of("rag-service", Path.of("target", "quarkus-app", "quarkus-run.jar")).jvmOptions(jvmOptions)
                .properties(settings).log(log).whenMissing("integration tests run after 'mvn package'").start();
    }

    /** The resource allocator's packaged application (built before this module) with {@code settings}. */
    public static PackagedApp allocator(Map<String, String> settings, Path log) {
        return PackagedApp.of("allocator", Path.of("..", "resource-allocator-service", "target", "quarkus-app",
                        "quarkus-run.jar"))
                .jvmOptions(List.of("-Xmx256m")).properties(settings).log(log)
                .whenMissing("build the allocator first (./envgrid test does)").start();
    }
}

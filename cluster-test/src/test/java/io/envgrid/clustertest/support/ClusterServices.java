package io.envgrid.clustertest.support;

import io.envgrid.testsupport.process.PackagedApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The cluster's services as real processes, started through test-support's {@link PackagedApp}: a module's packaged
 * application ({@code <module>/target/quarkus-app/quarkus-run.jar}, built earlier in the reactor) on a fixed loopback
 * port, logging to {@code <logs>/<name>.log} (appended across restarts). The soak crashes one with
 * {@link PackagedApp#killTree()} (a container's death takes its whole process tree: the device agent's X servers) and
 * brings it back with {@link PackagedApp#restart()} on the same port, as Kubernetes restarts a container behind an
 * unchanged Service address.
 */
public final class ClusterServices {

    /** Ten JVMs start at once on two cores: generous. */
    private static final Duration READY_WITHIN = Duration.ofSeconds(240);
    /** The k8s manifests' container-sized settings would be too slow to start ten JVMs on two cores: C1 only. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private ClusterServices() {
    }

    /**
     * Starts {@code module}'s packaged application on {@code port} and returns once {@code /q/health/ready} is 200.
     *
     * @param repo the repository root (the modules' parent directory)
     * @param settings {@code -D} system properties (Quarkus and envgrid settings)
     * @throws IllegalStateException when the jar is missing, the process exits, or it is not ready in time
     */
    public static PackagedApp start(Path repo, Path logs, String name, String module, int port,
            Map<String, String> settings) {
        return PackagedApp.of(name, repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar"))
                .jvmOptions(JVM_OPTIONS).properties(settings).port(port).log(logs.resolve(name + ".log"))
                .readyWithin(READY_WITHIN)
                .whenMissing("package every module first ('mvn -B install -DskipTests' at the root, or the whole "
                        + "'./envgrid test')")
                .start();
    }
}

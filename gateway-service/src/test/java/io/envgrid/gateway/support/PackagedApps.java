package io.envgrid.gateway.support;

import io.envgrid.testsupport.process.PackagedApp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The envgrid services this module's tests run as processes: a module's packaged application
 * ({@code ../<module>/target/quarkus-app/quarkus-run.jar}, built earlier in the reactor), started through
 * test-support's {@link PackagedApp} on a free port, logging to {@code target/services/<name>.log}. {@link TestCluster}
 * starts the services the gateway calls with it.
 */
public final class PackagedApps {

    /** The tests' JVM options: C1 only starts faster, and the tests measure nothing. */
    static final List<String> TEST_JVM = List.of("-XX:TieredStopAtLevel=1");

    private PackagedApps() {
    }

    /** {@code module}'s packaged application with {@code settings} ({@code -D}). */
    public static PackagedApp start(String name, String module, Map<String, String> settings) {
        return start(name, module, settings, Map.of());
    }

    /** As above, with environment variables {@code env}. */
    public static PackagedApp start(String name, String module, Map<String, String> settings, Map<String, String> env) {
        return start(name, module, settings, env, TEST_JVM);
    }

    /**
     * As above with the JVM options given (the benchmark wants the full JIT and may add a flight recording).
     */
    public static PackagedApp start(String name, String module, Map<String, String> settings, Map<String, String> env,
            List<String> jvmOptions) {
        return start(name, Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar"), settings, env, jvmOptions);
    }

    /** The packaged application {@code app} ({@code quarkus-run.jar}, e.g. another build's), as above. */
    public static PackagedApp start(String name, Path app, Map<String, String> settings, Map<String, String> env,
            List<String> jvmOptions) {
        return PackagedApp.of(name, app).jvmOptions(List.of("-Xmx256m")).jvmOptions(jvmOptions).properties(settings)
                .env(env).whenMissing("build the whole project ('./envgrid test' or 'mvn -B package -DskipTests' at "
                        + "the root) before the gateway's tests")
                .start();
    }
}

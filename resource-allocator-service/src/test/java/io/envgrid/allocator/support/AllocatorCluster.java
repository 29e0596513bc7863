package io.envgrid.allocator.support;

import io.envgrid.testsupport.process.PackagedApp;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Allocator replicas as separate JVMs: the packaged service ({@code target/quarkus-app/quarkus-run.jar}, built by
 * {@code mvn package}) started through test-support's {@link PackagedApp}, each on its own free port, all on one
 * Redis, each logging to {@code <logDir>/allocator-N.log}. {@link #start} starts them side by side and returns once
 * every replica answers {@code /q/health/ready} with 200; {@link #close} stops them all.
 */
public final class AllocatorCluster implements AutoCloseable {

    /** Where the packaged service is looked for; {@code -Dallocator.app=...} overrides it. */
    public static final Path DEFAULT_APP = Path.of("target", "quarkus-app", "quarkus-run.jar");

    /** One replica (1-based {@code index}): its address and its process. */
    public record Instance(int index, PackagedApp app) {

        public int port() {
            return app.port();
        }

        public URI base() {
            return app.uri();
        }

        public URI uri(String path) {
            return base().resolve(path);
        }

        /** The replica's JVM, for a benchmark's CPU figures. */
        public ProcessHandle handle() {
            return ProcessHandle.of(app.pid()).orElseThrow(() -> new IllegalStateException(this + " has ended"));
        }

        @Override
        public String toString() {
            return "allocator-" + index + " (pid " + app.pid() + ", port " + port() + ")";
        }
    }

    private final List<Instance> instances;

    private AllocatorCluster(List<Instance> instances) {
        this.instances = List.copyOf(instances);
    }

    /**
     * Starts {@code count} replicas on Redis at {@code redisUrl}, logging to {@code logDir/allocator-N.log}.
     * {@code properties} are passed as {@code -Dkey=value} (e.g. envgrid.allocator.* settings; without a
     * service token among them the replicas run with {@code envgrid.allocator.auth=open}),
     * {@code jvmArgs} go before them (e.g. -Xmx256m).
     */
    public static AllocatorCluster start(int count, String redisUrl, Path logDir, Map<String, String> properties,
            List<String> jvmArgs) {
        return start(Path.of(System.getProperty("allocator.app", DEFAULT_APP.toString())), count, redisUrl, logDir,
                properties, jvmArgs);
    }

    /**
     * As {@link #start(int, String, Path, Map, List)}, of the packaged service at {@code app} (e.g. an older build
     * measured next to this one: open mode then goes in the environment, which a build that predates the setting
     * ignores, where an unknown {@code -Denvgrid.allocator.*} property would stop it).
     *
     * @throws IllegalStateException when a replica does not start (the others are stopped first)
     */
    public static AllocatorCluster start(Path app, int count, String redisUrl, Path logDir,
            Map<String, String> properties, List<String> jvmArgs) {
        Map<String, String> settings = new HashMap<>(properties);
        settings.put("quarkus.redis.hosts", redisUrl);
        // These replicas are called without a token: say so, or the allocator does not start.
        Map<String, String> env = properties.containsKey("envgrid.allocator.service-token") ? Map.of()
                : Map.of("ENVGRID_ALLOCATOR_AUTH", "open");
        // a thread each: the common pool has one thread on two cores, and a replica's start is mostly waiting
        Executor threadEach = task -> new Thread(task, "allocator-cluster").start();
        List<CompletableFuture<Instance>> starting = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            int index = i;
            starting.add(CompletableFuture.supplyAsync(() -> new Instance(index, PackagedApp
                    .of("allocator-" + index, app).jvmOptions(jvmArgs).properties(settings).env(env)
                    .log(logDir.resolve("allocator-" + index + ".log"))
                    .whenMissing("run 'mvn package' first").start()), threadEach));
        }
        List<Instance> started = new ArrayList<>();
        RuntimeException failure = null;
        for (CompletableFuture<Instance> replica : starting) {
            try {
                started.add(replica.join());
            } catch (CompletionException e) {
                failure = e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        AllocatorCluster cluster = new AllocatorCluster(started);
        if (failure != null) {
            cluster.close();
            throw failure;
        }
        return cluster;
    }

    public List<Instance> instances() {
        return instances;
    }

    public Instance instance(int zeroBasedIndex) {
        return instances.get(zeroBasedIndex);
    }

    public int size() {
        return instances.size();
    }

    /** Stops every replica (SIGTERM, then SIGKILL for one still running after a grace period), side by side. */
    @Override
    public void close() {
        CompletableFuture.allOf(instances.stream()
                .map(i -> CompletableFuture.runAsync(i.app()::stop, task -> new Thread(task, "allocator-stop").start()))
                .toArray(CompletableFuture[]::new)).join();
    }
}

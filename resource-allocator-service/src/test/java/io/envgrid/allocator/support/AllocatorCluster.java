package io.envgrid.allocator.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Allocator replicas as separate JVMs: the packaged service ({@code target/quarkus-app/quarkus-run.jar},
 * built by {@code mvn package}) started with {@code java -jar}, each on its own free port, all on one
 * Redis, each logging to a file. {@link #start} returns once every replica answers
 * {@code /q/health/ready} with 200; {@link #close} stops them all.
 */
public final class AllocatorCluster implements AutoCloseable {

    /** Where the packaged service is looked for; {@code -Dallocator.app=...} overrides it. */
    public static final Path DEFAULT_APP = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    /** One replica: its HTTP base address, its process and its log file. */
    public record Instance(int index, int port, Process process, Path log) {

        public URI base() {
            return URI.create("http://127.0.0.1:" + port);
        }

        public URI uri(String path) {
            return base().resolve(path);
        }

        @Override
        public String toString() {
            return "allocator-" + index + " (pid " + process.pid() + ", port " + port + ")";
        }
    }

    private final List<Instance> instances;
    private final Thread killOnExit;

    private AllocatorCluster(List<Instance> instances) {
        this.instances = List.copyOf(instances);
        // Never leave replicas behind if the test JVM itself is stopped.
        this.killOnExit = new Thread(() -> this.instances.forEach(i -> i.process().destroyForcibly()));
        Runtime.getRuntime().addShutdownHook(killOnExit);
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
     */
    public static AllocatorCluster start(Path app, int count, String redisUrl, Path logDir,
            Map<String, String> properties, List<String> jvmArgs) {
        app = app.toAbsolutePath();
        if (!Files.isRegularFile(app)) {
            throw new IllegalStateException(app + " does not exist: run 'mvn package' first");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Instance> started = new ArrayList<>();
        try {
            Files.createDirectories(logDir);
            for (int i = 1; i <= count; i++) {
                int port = FreePort.next();
                List<String> command = new ArrayList<>();
                command.add(java);
                command.addAll(jvmArgs);
                command.add("-Dquarkus.http.host=127.0.0.1");
                command.add("-Dquarkus.http.port=" + port);
                command.add("-Dquarkus.redis.hosts=" + redisUrl);
                properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
                command.add("-jar");
                command.add(app.toString());
                Path log = logDir.resolve("allocator-" + i + ".log");
                ProcessBuilder builder = new ProcessBuilder(command);
                if (!properties.containsKey("envgrid.allocator.service-token")) {
                    // These replicas are called without a token: say so, or the allocator does not start.
                    builder.environment().put("ENVGRID_ALLOCATOR_AUTH", "open");
                }
                Process process = builder
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                started.add(new Instance(i, port, process, log));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(i -> i.process().destroyForcibly());
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        AllocatorCluster cluster = new AllocatorCluster(started);
        try {
            cluster.awaitReady();
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
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

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        for (Instance instance : instances) {
            HttpRequest ready = HttpRequest.newBuilder(instance.uri("/q/health/ready"))
                    .timeout(Duration.ofSeconds(5)).GET().build();
            Conditions.await(() -> {
                if (!instance.process().isAlive()) {
                    throw new IllegalStateException(instance + " exited with " + instance.process().exitValue()
                            + " before it was ready; its log ends with:\n" + tail(instance.log(), 40));
                }
                try {
                    return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }, instance + " ready", READY_TIMEOUT);
        }
    }

    /** Stops every replica (SIGTERM, then SIGKILL for one still running after a grace period). */
    @Override
    public void close() {
        instances.forEach(i -> i.process().destroy());
        for (Instance i : instances) {
            try {
                if (!i.process().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    i.process().destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                i.process().destroyForcibly();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException alreadyExiting) {
            // the hook runs anyway
        }
    }

    /** The last lines of a replica's log, for failure messages. */
    public static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}

package io.envgrid.vmcontroller.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packaged Quarkus application ({@code target/quarkus-app/quarkus-run.jar}) as a child JVM on a free local
 * port, its settings given as system properties, its output in a log file; returned once
 * {@code /q/health/ready} answers 200. The module's one launcher: the real allocator of
 * {@code session/RealAllocatorTest} and the controllers of the benchmark.
 */
public final class PackagedService implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final int port;
    private final Path log;

    private PackagedService(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * The real allocator ({@code ../resource-allocator-service/target/quarkus-app/quarkus-run.jar}, built before
     * this module's tests, e.g. {@code mvn -B install -DskipTests} at the root) on the given Redis, logging to
     * {@code target/services/allocator.log}.
     */
    public static PackagedService allocator(String redisHosts) {
        Path app = Path.of("..", "resource-allocator-service", "target", "quarkus-app", "quarkus-run.jar")
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(app)) {
            throw new IllegalStateException(app + " is missing: build the allocator first (mvn -B install -DskipTests "
                    + "at the project root)");
        }
        return start(app, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), Map.of("quarkus.redis.hosts", redisHosts,
                "envgrid.allocator.auth", "open"), Path.of("target", "services", "allocator.log"));
    }

    /** This module's packaged controller, with the given settings, logging to {@code log}. */
    public static PackagedService controller(Map<String, String> properties, Path log) {
        return start(Path.of("target", "quarkus-app", "quarkus-run.jar"), List.of("-Xmx512m"), properties, log);
    }

    private static PackagedService start(Path jar, List<String> jvmOptions, Map<String, String> properties, Path log) {
        int port = LocalPorts.free();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + port);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            PackagedService service = new PackagedService(process, port, log);
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            service.awaitReady();
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(5))
                .build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(log.getFileName() + ": the service exited with " + process.exitValue()
                        + "; see " + log.toAbsolutePath());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Conditions.pause(Duration.ofMillis(100));
        }
        close();
        throw new IllegalStateException("the service was not ready within " + READY_TIMEOUT + "; see "
                + log.toAbsolutePath());
    }

    /** SIGTERM, then SIGKILL if it has not stopped within 20 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

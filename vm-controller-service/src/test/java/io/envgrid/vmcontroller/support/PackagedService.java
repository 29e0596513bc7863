package io.envgrid.vmcontroller;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real allocator as a process: its packaged application
 * ({@code ../resource-allocator-service/target/quarkus-app/quarkus-run.jar}, built before this
 * module's tests, e.g. {@code mvn -B install -DskipTests} at the root) on a free port, on the given
 * Redis, logging to {@code target/services/allocator.log}; returned once {@code /q/health/ready}
 * answers 200.
 */
final class AllocatorProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final int port;
    private final Path log;

    private AllocatorProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static AllocatorProcess start(String redisHosts) {
        Path app = Path.of("..", "resource-allocator-service", "target", "quarkus-app", "quarkus-run.jar")
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(app)) {
            throw new IllegalStateException(app + " is missing: build the allocator first (mvn -B install -DskipTests "
                    + "at the project root)");
        }
        int port = RedisTestResource.freePort();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.redis.hosts=" + redisHosts, "-jar", app.toString());
        try {
            Path log = Files.createDirectories(Path.of("target", "services")).resolve("allocator.log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            AllocatorProcess allocator = new AllocatorProcess(process, port, log);
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            allocator.awaitReady();
            return allocator;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(5))
                .build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the allocator exited with " + process.exitValue() + "; see "
                        + log.toAbsolutePath());
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
        throw new IllegalStateException("the allocator was not ready within " + READY_TIMEOUT + "; see "
                + log.toAbsolutePath());
    }

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

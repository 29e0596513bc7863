package io.envgrid.rag.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The module's one launcher of packaged services: a Quarkus application ({@code quarkus-run.jar}; this
 * module's, or the allocator's for {@code registration/RealAllocator}) as a child JVM on a free local
 * port, returned once it reports ready. Its output is appended to a log file, so the log of a
 * restarted service shows every run. Failsafe tests run this module's through {@link PackagedRagService}.
 */
public final class PackagedService implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Duration READY_WITHIN = Duration.ofSeconds(120);

    private final Process process;
    private final int port;

    private PackagedService(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The rag-service of this module, with its settings given as system properties. */
    public static PackagedService ragService(List<String> jvmOptions, Map<String, String> properties, Path log) {
        return start(Path.of("target", "quarkus-app", "quarkus-run.jar"), jvmOptions, properties, log);
    }

    public static PackagedService start(Path jar, List<String> jvmOptions, Map<String, String> properties, Path log) {
        try {
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(jvmOptions);
            command.add("-Dquarkus.http.port=" + port);
            command.add("-Dquarkus.http.host=127.0.0.1");
            properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.addAll(List.of("-jar", jar.toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            PackagedService service = new PackagedService(process, port);
            service.awaitReady(log);
            return service;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + jar, e);
        }
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** SIGTERM: Quarkus shuts down gracefully, as a pod does when it is stopped. */
    public void stop() {
        process.destroy();
        awaitExit();
    }

    /** SIGKILL: no shutdown hooks, nothing flushed or closed, as a crash or an OOM kill. */
    public void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("process " + process.pid() + " did not end within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady(Path log) {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
        try {
            while (System.nanoTime() < deadline && process.isAlive()) {
                try {
                    if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
        throw new IllegalStateException("the service on port " + port + " did not become ready; see " + log);
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

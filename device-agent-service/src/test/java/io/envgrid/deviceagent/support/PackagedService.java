package io.envgrid.deviceagent.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
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
 * The module's one launcher of packaged services: a Quarkus application's {@code quarkus-run.jar} as its own JVM
 * on a free port of 127.0.0.1, with {@code -D} settings, its output appended to {@code target/<name>.log}, returned
 * once its readiness route answers 200.
 */
public final class PackagedService implements AutoCloseable {

    /** Generous: on this shared 2-core machine a packaged agent has taken over 70 s to start under load. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    /** The packaged applications tests run, with the route that says each is ready. */
    public enum App {
        /** This module, packaged: usable in the failsafe phase (after {@code package}) and by the benchmark. */
        AGENT("the agent", Path.of("target", "quarkus-app", "quarkus-run.jar"), "/health",
                "integration tests run after 'mvn package'"),
        /** The resource allocator, built before this module in the reactor. */
        ALLOCATOR("the allocator", Path.of("..", "resource-allocator-service", "target", "quarkus-app", "quarkus-run.jar"),
                "/q/health/ready", "build the allocator first (cd resource-allocator-service && mvn -B -q package "
                        + "-DskipTests), or run mvn verify from the root");

        private final String title;
        private final Path jar;
        private final String readyPath;
        private final String whenMissing;

        App(String title, Path jar, String readyPath, String whenMissing) {
            this.title = title;
            this.jar = jar;
            this.readyPath = readyPath;
            this.whenMissing = whenMissing;
        }
    }

    private final App app;
    private final Process process;
    private final URI url;
    private final Path log;

    private PackagedService(App app, Process process, URI url, Path log) {
        this.app = app;
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** Starts {@code app} with these settings and returns once it is ready; {@code name} names its log file. */
    public static PackagedService start(App app, String name, Map<String, String> properties) {
        return start(app, app.jar, name, properties);
    }

    /** As {@link #start(App, String, Map)} from another build of {@code app} (the benchmark's baseline). */
    public static PackagedService start(App app, Path packagedJar, String name, Map<String, String> properties) {
        Path jar = packagedJar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: " + app.whenMissing);
        }
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Path log = Files.createDirectories(Path.of("target")).resolve(name + ".log").toAbsolutePath();
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            PackagedService service = new PackagedService(app, process, URI.create("http://127.0.0.1:" + port), log);
            service.awaitReady();
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port nothing listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url() {
        return url;
    }

    /** SIGKILL: no shutdown hook, no graceful anything, as a power cut or the OOM killer would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM (a graceful stop), SIGKILL when that takes over 30 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(url.resolve(app.readyPath)).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(app.title + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new IllegalStateException(e);
            }
        }
        kill();
        throw new IllegalStateException(app.title + " did not answer " + app.readyPath + " within " + READY_TIMEOUT
                + "; see " + log);
    }
}

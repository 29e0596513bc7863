package io.envgrid.clustertest.support;

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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One envgrid service as a real process: its packaged application ({@code <module>/target/quarkus-app/quarkus-run.jar},
 * built earlier in the reactor) run with {@code java -jar} on a fixed loopback port, with {@code -D} settings, logging
 * to {@code <logs>/<name>.log} (appended across restarts). {@link #kill()} is a crash (SIGKILL of the process and every
 * process it started, as a container's death takes its whole process tree); {@link #restart()} starts the same command
 * on the same port, as Kubernetes restarts a container behind an unchanged Service address.
 *
 * <p>The cluster's one launcher: the services share no test library by design, so this is a small sibling of the
 * gateway's {@code PackagedService}, with the restart on a fixed port this test needs.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(240);

    private final String name;
    private final int port;
    private final List<String> command;
    private final Path log;
    private volatile Process process;

    private ServiceProcess(String name, int port, List<String> command, Path log) {
        this.name = name;
        this.port = port;
        this.command = command;
        this.log = log;
    }

    /**
     * Starts {@code module}'s packaged application on {@code port} and returns once {@code /q/health/ready} is 200.
     *
     * @param repo the repository root (the modules' parent directory)
     * @param settings {@code -D} system properties (Quarkus and envgrid settings)
     * @throws IllegalStateException when the jar is missing, the process exits, or it is not ready in time
     */
    public static ServiceProcess start(Path repo, Path logs, String name, String module, int port,
            Map<String, String> settings) {
        Path app = repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(app)) {
            throw new IllegalStateException(app + " is missing: package every module first "
                    + "('mvn -B install -DskipTests' at the root, or the whole './envgrid test')");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the k8s manifests' container-sized settings would be too slow to start ten JVMs on two cores: C1 only
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + port);
        new TreeMap<>(settings).forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(app.toString());
        ServiceProcess service = new ServiceProcess(name, port, List.copyOf(command), logs.resolve(name + ".log"));
        Runtime.getRuntime().addShutdownHook(new Thread(service::killTree));
        service.launch();
        return service;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A crash: SIGKILL to the process and all its descendants (the device agent's X servers), no shutdown hooks. */
    public void kill() {
        killTree();
    }

    /** Starts the same command again on the same port; returns once ready. */
    public void restart() {
        launch();
    }

    private void launch() {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "==== start " + java.time.Instant.now() + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady();
    }

    /** True while {@code /q/health/ready} answers 200. */
    public boolean ready() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(5))
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private void awaitReady() {
        Process started = process;
        Conditions.await(name + " ready (see " + log.toAbsolutePath() + ")", READY_TIMEOUT, () -> {
            if (!started.isAlive()) {
                throw new AssertionError(name + " exited with " + started.exitValue() + "; see " + log.toAbsolutePath());
            }
            return ready();
        });
    }

    private void killTree() {
        Process current = process;
        if (current == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(current.descendants().toList());
        current.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        try {
            current.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : tree) {
            child.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> child).join();
        }
    }

    /** Stops the service the way Kubernetes does: SIGTERM, then SIGKILL of what is left after 20 s. */
    @Override
    public void close() {
        Process current = process;
        if (current == null) {
            return;
        }
        List<ProcessHandle> tree = current.descendants().toList();
        current.destroy();
        try {
            if (!current.waitFor(20, TimeUnit.SECONDS)) {
                current.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}

package io.envgrid.gateway.support;

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
 * The module's one launcher of packaged services: an envgrid service's packaged application
 * ({@code ../<module>/target/quarkus-app/quarkus-run.jar}, built earlier in the reactor) started
 * with {@code java -jar} on a free port, logging to {@code target/services/<name>.log}, returned
 * once {@code /q/health/ready} answers 200. {@link TestCluster} starts the services the gateway
 * calls with it.
 */
public final class PackagedService implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private PackagedService(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    public static PackagedService start(String name, String module, Map<String, String> properties) {
        return start(name, module, properties, Map.of());
    }

    public static PackagedService start(String name, String module, Map<String, String> properties, Map<String, String> env) {
        return start(name, module, properties, env, List.of("-XX:TieredStopAtLevel=1"));
    }

    /**
     * As above with the JVM options given (the tests' default, {@code -XX:TieredStopAtLevel=1}, starts
     * fast; the benchmark wants the full JIT and may add a flight recording).
     */
    public static PackagedService start(String name, String module, Map<String, String> properties, Map<String, String> env,
            List<String> jvmOptions) {
        Path app = Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(app)) {
            throw new IllegalStateException(app + " is missing: build the whole project ('./envgrid test' or "
                    + "'mvn -B package -DskipTests' at the root) before the gateway's tests");
        }
        return start(name, app, properties, env, jvmOptions);
    }

    /** The packaged application {@code app} ({@code quarkus-run.jar}) as a process, as above. */
    public static PackagedService start(String name, Path app, Map<String, String> properties, Map<String, String> env,
            List<String> jvmOptions) {
        int port = FreePort.next();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + port);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(app.toString());
        try {
            Path logs = Files.createDirectories(Path.of("target", "services"));
            Path log = logs.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(env);
            PackagedService service = new PackagedService(name, port, builder.start(), log);
            Runtime.getRuntime().addShutdownHook(new Thread(service.process::destroyForcibly));
            service.awaitReady();
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
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
        throw new IllegalStateException(name + " was not ready within " + READY_TIMEOUT + "; see " + log.toAbsolutePath());
    }

    /** Kills the process at once (SIGKILL): a replica that dies without a word. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the service the way Kubernetes does (SIGTERM, then SIGKILL after a grace period). */
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

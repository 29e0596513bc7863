package io.envgrid.testsupport.process;

import io.envgrid.testsupport.wait.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A packaged Quarkus application ({@code target/quarkus-app/quarkus-run.jar}) run by the tests as a child JVM, the
 * way a container runs it: {@code java [jvm options] -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=<port>
 * -D<setting>=<value>… -jar <jar>} on a free loopback port (or a fixed one), its output appended to a log file
 * ({@code target/services/<name>.log} unless given), returned by {@link Launch#start()} once its readiness route
 * answers 200. Every module's tests start their sibling services (the allocator above all) and their own packaged
 * application through this one launcher.
 *
 * <p>Stopping follows Kubernetes: {@link #stop()} is SIGTERM (Quarkus shuts down gracefully), then SIGKILL after the
 * grace period; {@link #kill()} is a crash of the JVM alone (its children, e.g. a device agent's X servers, are left
 * as a SIGKILLed agent leaves them); {@link #killTree()} is a container's death (the JVM and every descendant).
 * A shutdown hook kills what is left if the test JVM exits first.
 */
public final class PackagedApp implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    /** SIGTERM's grace period before SIGKILL, as a pod's {@code terminationGracePeriodSeconds}. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final Launch launch;
    private final int port;
    private volatile Process process;
    /**
     * What a {@link #kill()} left running (the JVM's children, re-parented once it died): a later {@link #stop()} or
     * {@link #killTree()} ends them, which {@code descendants()} of the dead JVM no longer finds.
     */
    private final List<ProcessHandle> orphans = new CopyOnWriteArrayList<>();

    private PackagedApp(Launch launch, int port) {
        this.launch = launch;
        this.port = port;
    }

    /**
     * How to start {@code jar} (made absolute), named {@code name} in logs and errors; nothing runs until
     * {@link Launch#start()}.
     */
    public static Launch of(String name, Path jar) {
        return new Launch(name, jar.toAbsolutePath().normalize());
    }

    /** A TCP port nothing on 127.0.0.1 listens on right now (the kernel's choice). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The settings of one packaged application; {@link #start()} runs it. */
    public static final class Launch {
        private final String name;
        private final Path jar;
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> properties = new TreeMap<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String readyPath = "/q/health/ready";
        private Duration readyWithin = Duration.ofSeconds(120);
        private Path log;
        private int port;
        private String whenMissing = "package the project first (mvn -B install -DskipTests at the root)";

        private Launch(String name, Path jar) {
            this.name = name;
            this.jar = jar;
            this.log = Path.of("target", "services", name + ".log").toAbsolutePath();
        }

        /** Options before {@code -D} settings, e.g. {@code -Xmx256m}, {@code -XX:TieredStopAtLevel=1}. */
        public Launch jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        /** {@code -D} settings (Quarkus and envgrid configuration), given in key order. */
        public Launch properties(Map<String, String> settings) {
            properties.putAll(settings);
            return this;
        }

        /** Environment variables added to the test JVM's own. */
        public Launch env(Map<String, String> variables) {
            env.putAll(variables);
            return this;
        }

        /** The route that answers 200 once the application is ready; {@code /q/health/ready} by default. */
        public Launch readyPath(String path) {
            readyPath = path;
            return this;
        }

        /** How long start-up may take; 120 s by default (a loaded 2-core machine starts a JVM slowly). */
        public Launch readyWithin(Duration timeout) {
            readyWithin = timeout;
            return this;
        }

        /** The log file (appended to, one {@code ==== start} line per start). */
        public Launch log(Path file) {
            log = file.toAbsolutePath();
            return this;
        }

        /** A fixed port instead of a free one: a restarted replica behind an unchanged Service address. */
        public Launch port(int fixed) {
            port = fixed;
            return this;
        }

        /** What to do when the jar is missing, for the error (which module to build). */
        public Launch whenMissing(String advice) {
            whenMissing = advice;
            return this;
        }

        /**
         * Starts the application and returns once its readiness route answered 200.
         *
         * @throws IllegalStateException when the jar is missing, the process exits before it is ready (its exit code
         *             and log named), or it is not ready within the timeout (then it is killed)
         */
        public PackagedApp start() {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: " + whenMissing);
            }
            PackagedApp app = new PackagedApp(this, port != 0 ? port : freePort());
            Runtime.getRuntime().addShutdownHook(new Thread(app::killTree));
            app.launch();
            return app;
        }
    }

    public String name() {
        return launch.name;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}, no trailing slash. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** {@link #url()} as a URI. */
    public URI uri() {
        return URI.create(url());
    }

    public Path log() {
        return launch.log;
    }

    /** The running JVM's process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the JVM runs. */
    public boolean isAlive() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** Whether the readiness route answers 200 now. */
    public boolean ready() {
        HttpRequest request = HttpRequest.newBuilder(uri().resolve(launch.readyPath)).timeout(Duration.ofSeconds(5))
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

    /** Starts the same command again on the same port (after a stop or a kill) and returns once it is ready. */
    public void restart() {
        launch();
    }

    /** SIGKILL of the JVM alone: no shutdown hook runs; what it started keeps running, as after an OOM kill. */
    public void kill() {
        Process current = process;
        if (current != null) {
            orphans.addAll(current.descendants().toList());
            current.destroyForcibly();
            awaitExit(current, Duration.ofSeconds(10));
        }
    }

    /** SIGKILL of the JVM and every process it started (a container's death). */
    public void killTree() {
        Process current = process;
        if (current == null) {
            return;
        }
        List<ProcessHandle> tree = current.descendants().toList();
        // all at once, as a container's processes die together: none outlives the JVM long enough to see it go
        current.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        awaitExit(current, Duration.ofSeconds(10));
        killAll(tree);
    }

    /**
     * SIGTERM (a graceful shutdown), then SIGKILL when it has not ended within 30 s; then SIGKILL of whatever it
     * started that is still running (also what an earlier {@link #kill()} left), as a container's end takes its
     * processes with it. Returns once the JVM and those processes ended (each waited for up to 10 s).
     */
    public void stop() {
        Process current = process;
        List<ProcessHandle> tree = new ArrayList<>();
        if (current != null && current.isAlive()) {
            tree.addAll(current.descendants().toList());
            current.destroy();
            if (!awaitExit(current, GRACE)) {
                tree.addAll(current.descendants().toList());
                current.destroyForcibly();
                awaitExit(current, Duration.ofSeconds(10));
            }
        }
        killAll(tree);
    }

    /**
     * SIGKILL of each process (and of every orphan an earlier {@link #kill()} left), then waits for their ends, 10 s at
     * most for all of them.
     */
    private void killAll(List<ProcessHandle> processes) {
        List<ProcessHandle> all = new ArrayList<>(processes);
        all.addAll(orphans);
        orphans.clear();
        all.forEach(ProcessHandle::destroyForcibly);
        // one 10 s bound for all of them together, not one per process
        CompletableFuture.allOf(all.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                .orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    private void launch() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(launch.jvmOptions);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + port);
        launch.properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", launch.jar.toString()));
        try {
            Files.createDirectories(launch.log.getParent());
            Files.writeString(launch.log, "==== start " + Instant.now() + " on port " + port + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(launch.log.toFile()));
            builder.environment().putAll(launch.env);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process started = process;
        try {
            Poll.await(launch.name + " ready on " + launch.readyPath + " (see " + launch.log + ")", launch.readyWithin,
                    () -> {
                        if (!started.isAlive()) {
                            // an Error, which ends the wait (an exception would count as "not yet")
                            throw new AssertionError(launch.name + " exited with " + started.exitValue()
                                    + "; see " + launch.log);
                        }
                        return ready();
                    });
        } catch (AssertionError notReady) {
            killTree();
            throw new IllegalStateException(notReady.getMessage() + "; its log ends with:\n" + logTail(40), notReady);
        }
    }

    /** The last {@code lines} lines of the log, for a failure's message (CI output shows it without the file). */
    private String logTail(int lines) {
        try {
            // decoded leniently: a child's output need not be valid UTF-8, and the tail matters most then
            List<String> all = new String(Files.readAllBytes(launch.log), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + launch.log + ": " + e.getMessage() + ")";
        }
    }

    private static boolean awaitExit(Process process, Duration within) {
        try {
            return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

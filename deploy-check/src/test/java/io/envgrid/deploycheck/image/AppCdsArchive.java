package io.envgrid.deploycheck.image;

import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service image's class data ({@link ClassData}), recorded at image build time: an AppCDS archive on a JDK 17
 * runtime, an AOT cache on a JDK 25 or later. The service is started once on the image's own jlinked runtime, from a
 * staging copy of its fast-jar laid out and dated as in the image, with {@code -XX:ArchiveClassesAtExit} (AppCDS) or,
 * with the pods' JVM options, {@code -XX:AOTCacheOutput} (AOT cache); once live it is stopped with SIGTERM, and the
 * JVM writes the archive (a dynamic one, on top of the runtime's base archive) as it exits, or writes the training
 * run's configuration and starts a second JVM that assembles the cache from it, which the first one waits for.
 *
 * <p>Why at image build (k8s/README.md "Start-up and memory"): the JVM uses an archive only while every class-path
 * jar has the size and mtime it was recorded with, which a developer's {@code target/} never keeps but an image
 * does. The staged files get {@link #FILE_TIME}, the mtime {@link ServiceImage} gives every file in its layers,
 * and the paths match too: the entrypoint names the jar and the archive relative to the working directory
 * {@code /deployments}, which is what the archive records, so it holds wherever the layers are unpacked. JDK 25.0.3
 * does not check the class-path jars of a cache made with {@code -XX:AOTCacheOutput} at all (JDK-8377932, fixed for
 * 25.0.4), so there the image's guarantee is the only one: the cache ships in the image with exactly the jars it was
 * recorded on.
 */
final class AppCdsArchive {

    /** Jib's default file mtime (epoch + 1 s), set explicitly on both the staged copy and the layers. */
    static final Instant FILE_TIME = FileEntriesLayer.DEFAULT_MODIFICATION_TIME;
    /**
     * Stands in for a pod's memory limit while recording: with the heap at 75 % of a large build machine's RAM the
     * JVM would drop compressed oops, and an archive recorded so is refused by every pod (JDK 17 checks the flag).
     */
    static final String RECORDING_MAX_RAM = "-XX:MaxRAM=1g";
    private static final Duration LIVE_TIMEOUT = Duration.ofSeconds(180);
    /**
     * Writing an AppCDS archive at exit takes a few seconds; assembling an AOT cache about a minute on a loaded 2-core
     * machine (55 s at load 20), more under heavier load.
     */
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(300);

    private AppCdsArchive() {
    }

    /**
     * Stages {@code quarkusApp} as {@code staging/deployments}, records the runtime's class data there and checks that
     * the runtime accepts it for those jars.
     *
     * @param runtime    the image's jlinked runtime (with its base archive, {@link JlinkRuntime}) and its class data
     * @param quarkusApp the module's {@code target/quarkus-app}
     * @param staging    a scratch directory, replaced
     * @return {@code staging/<digest>/deployments} ({@link #stage}): the fast-jar as the image lays it out, plus
     *         the class data's {@link ClassData#file}
     * @throws IllegalStateException when the service does not come up, no archive is written, or the JVM refuses it
     */
    static Path record(ImageRuntime runtime, Path quarkusApp, Path staging) throws IOException, InterruptedException {
        deleteTree(staging);
        Path deployments = stage(quarkusApp, staging);
        ClassData classData = runtime.classData();
        Path java = runtime.path().resolve("bin/java");
        Path log = staging.resolve("record.log");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(ServiceImage.JVM_OPTIONS);
        // The AOT cache with the pods' options (GC, stack and code cache sizes), as ./envgrid startup-bench records it:
        // its method profiles come from a run like theirs, and the check below uses them too. The AppCDS archive is
        // recorded as it always was, without them (its mapping does not depend on them).
        if (classData == ClassData.AOT_CACHE) {
            command.addAll(runtime.containerOptions());
        }
        command.addAll(List.of(RECORDING_MAX_RAM, classData.recordOption(), "-jar", ServiceImage.RUNNER));
        ProcessBuilder builder = new ProcessBuilder(command).directory(deployments.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(trainingEnvironment(staging));
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        Process process = builder.start();
        try {
            Await.untilHttpOk("recording the class-data archive: the service answering /q/health/live",
                    URI.create("http://127.0.0.1:" + port + "/q/health/live"), LIVE_TIMEOUT, process, log);
            process.destroy();
            if (!process.waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the recording run did not exit within " + EXIT_TIMEOUT + "; see " + log);
            }
        } finally {
            process.destroyForcibly();
            stopAdbServer(staging);
        }
        Path archive = deployments.resolve(classData.file);
        if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
            throw new IllegalStateException("the recording run wrote no " + classData.file + "; see " + log);
        }
        checkAccepted(java, runtime, deployments, staging.resolve("check.log"));
        return deployments;
    }

    /**
     * Stops the adb server the device agent's recording run started, if it did: the agent's server outlives the agent
     * by design ({@code driver/AdbServer}: a restarted agent reuses it), but a build must not leave one behind. Runs in
     * a {@code finally}: a failure to stop it is printed (adb's own output is in {@code adb-kill-server.log}), never thrown over
     * the recording's own outcome.
     */
    private static void stopAdbServer(Path staging) {
        Path socket = staging.resolve("state/device-agent/adb-server/adb.sock");
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path log = staging.resolve("adb-kill-server.log");
        try {
            Process kill = new ProcessBuilder("adb", "-L", "localfilesystem:" + socket, "kill-server")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!kill.waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                System.err.println("adb kill-server did not finish within " + EXIT_TIMEOUT + " for " + socket);
            }
        } catch (IOException e) {
            System.err.println("could not stop the recording run's adb server at " + socket + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What a service needs to come up alone, for recording only (none of it is in the image): no Redis (liveness
     * does not need it, readiness would), every service open (no token to configure; the allocator and gateway
     * refuse to start without one otherwise), state directories in the scratch directory. As
     * {@code ./envgrid startup-bench} starts them, but listening on loopback only: an open service must not be
     * reachable from the build machine's network for the seconds of the recording.
     */
    static Map<String, String> trainingEnvironment(Path staging) {
        return Map.of("QUARKUS_HTTP_HOST", "127.0.0.1", "QUARKUS_REDIS_HOSTS", "redis://127.0.0.1:1",
                "ENVGRID_ALLOCATOR_AUTH", "open", "ENVGRID_GATEWAY_AUTH", "open", "ENVGRID_RAG_AUTH", "open",
                "ENVGRID_ALLOCATOR_URL", "http://127.0.0.1:1",
                "ENVGRID_DEVICE_AGENT_DATA_DIR", staging.resolve("state/device-agent").toString(),
                "ENVGRID_RAG_INDEX_DIR", staging.resolve("state/rag").toString());
    }

    /**
     * {@code -Xshare:on} (AppCDS) or {@code -XX:AOTMode=on} (AOT cache) turns a refused archive (another runtime, an
     * option it cannot be used with, for AppCDS a jar whose size or mtime differs) into a start-up error instead of the
     * silent loss of speed the image's entrypoint allows; {@code -version} checks the archive and the class path
     * without starting the service. The AOT cache is checked with the pods' options, with which it is used.
     */
    private static void checkAccepted(Path java, ImageRuntime runtime, Path deployments, Path log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java.toString()));
        if (runtime.classData() == ClassData.AOT_CACHE) {
            command.addAll(runtime.containerOptions());
        }
        command.addAll(runtime.classData().strictOptions());
        command.addAll(List.of("-cp", ServiceImage.RUNNER, "-version"));
        Process check = new ProcessBuilder(command)
                .directory(deployments.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) {
            check.destroyForcibly();
            throw new IllegalStateException("the runtime refuses the recorded " + runtime.classData().file + ": "
                    + Files.readString(log));
        }
    }

    /**
     * Copies {@code quarkusApp} to {@code staging/<digest>/deployments}, dated {@link #FILE_TIME}, where the digest is
     * {@link #contentDigest}'s. Named by content because Jib's layer cache finds a layer by its files' source paths,
     * their source and target mtimes, permissions and owners, never their bytes: at one fixed path, every file dated
     * {@link #FILE_TIME}, a rebuilt jar matched the first build's cached layer and every later image carried that first
     * build's application (the desktop host's test ran an agent hours older than the code it was testing).
     *
     * @return the staged {@code deployments} directory
     */
    static Path stage(Path quarkusApp, Path staging) throws IOException {
        Path deployments = staging.resolve(contentDigest(quarkusApp)).resolve("deployments");
        copyDated(quarkusApp, deployments);
        return deployments;
    }

    /**
     * SHA-256 (hex) over a tree's relative paths, kinds, permission bits and file contents, in path order: equal for
     * equal trees wherever they are, different when any file's bytes differ.
     */
    static String contentDigest(Path root) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        List<Path> paths;
        try (var walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.comparing(p -> root.relativize(p).toString())).toList();
        }
        for (Path path : paths) {
            boolean directory = Files.isDirectory(path);
            digest.update((root.relativize(path) + "\0" + (directory ? "d" : "f")
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(path)) + "\0")
                    .getBytes(StandardCharsets.UTF_8));
            if (!directory) {
                try (InputStream in = Files.newInputStream(path)) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        digest.update(buffer, 0, n);
                    }
                }
                digest.update(("\0" + Files.size(path) + "\0").getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Copies a tree keeping permissions, every file and directory dated {@link #FILE_TIME} as in the layers. */
    private static void copyDated(Path source, Path target) throws IOException {
        FileTime time = FileTime.from(FILE_TIME);
        List<Path> copied = new ArrayList<>();
        try (var paths = Files.walk(source)) {
            for (Path path : paths.toList()) {
                Path destination = target.resolve(source.relativize(path).toString());
                Files.createDirectories(destination.getParent());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(path, destination, StandardCopyOption.COPY_ATTRIBUTES);
                }
                copied.add(destination);
            }
        }
        for (Path path : copied) {
            Files.setLastModifiedTime(path, time);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}

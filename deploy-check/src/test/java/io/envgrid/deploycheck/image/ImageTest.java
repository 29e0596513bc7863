package io.envgrid.deploycheck.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Builds the allocator's image without a Docker daemon, pushes it to a registry on loopback, reads it back,
 * and starts its entrypoint from the unpacked layers, as the image's user where the test may switch to it: once
 * as it is, where its class data (an AOT cache on a JDK 25 or later, else an AppCDS archive: {@link ImageRuntime})
 * must be opened and serve the allocator's classes, and once without it, to print the start-up time it saves.
 * Needs the allocator packaged ({@code resource-allocator-service/target/quarkus-app}, built earlier in the reactor).
 */
class ImageTest {

    private static final Path ROOT = Path.of(System.getProperty("envgrid.repo.root", "..")).toAbsolutePath().normalize();
    private static final Path WORK = ROOT.resolve("deploy-check/target/image");
    private static final String MODULE = "resource-allocator-service";
    private static final String REPOSITORY = "envgrid/" + MODULE;
    private static final String TAG = "0.1.0-test";
    private static final int HTTP_PORT = 8081;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    /** The pods' JVM options (k8s "Start-up and memory"): a flag there that disables the class data fails the test. */
    static final Path POD_JVM_OPTIONS = ROOT.resolve(ImageRuntime.POD_JVM_OPTIONS);
    /** The allocator's own classes: only the image's class data can hold them, never the JDK's archive. */
    private static final String APP_CLASSES = "io.envgrid.allocator.";
    /**
     * Starts with and without the archive (alternating): one pair in the test run, more for the figures in
     * k8s/README.md ({@code -Denvgrid.image.start-pairs=5}); one start's time on a shared machine is mostly noise.
     */
    private static final int START_PAIRS = Integer.getInteger("envgrid.image.start-pairs", 1);

    @Test
    void allocatorImageIsBuiltPushedReadBackAndStarts() throws Exception {
        Path quarkusApp = ROOT.resolve(MODULE).resolve("target/quarkus-app");
        assertTrue(Files.isRegularFile(quarkusApp.resolve("quarkus-run.jar")),
                "package " + MODULE + " first (mvn -B -pl " + MODULE + " -am install -DskipTests)");
        long t0 = System.nanoTime();
        ImageRuntime runtime = ImageRuntime.prepare(ROOT, WORK.resolve("java-runtime"));
        ClassData classData = runtime.classData();
        long linked = System.nanoTime();
        ServiceImage image = new ServiceImage(REPOSITORY, TAG, quarkusApp, HTTP_PORT);
        Path run = Files.createTempDirectory(Files.createDirectories(WORK), "run");
        try (LocalRegistry registry = LocalRegistry.start(run.resolve("registry"))) {
            String digest = image.push(runtime, registry.host(), true, WORK.resolve("jib-cache"), WORK.resolve("cds-staging"));
            long pushed = System.nanoTime();

            RegistryReader reader = new RegistryReader(registry.url());
            RegistryReader.Manifest read = reader.manifest(REPOSITORY, TAG);
            assertEquals(digest, read.digest(), "the tag resolves to the pushed manifest");
            JsonNode manifest = read.json();
            JsonNode config = reader.jsonBlob(REPOSITORY, manifest.path("config").path("digest").asText()).path("config");
            assertEquals(ServiceImage.USER, config.path("User").asText());
            assertNotEquals("0", config.path("User").asText().split(":")[0]);
            List<String> entrypoint = strings(config.path("Entrypoint"));
            assertEquals(ServiceImage.entrypoint(classData), entrypoint);
            assertTrue(entrypoint.contains(classData.option + classData.file),
                    "the entrypoint names the image's " + classData.label + ": " + entrypoint);
            assertTrue(config.path("ExposedPorts").has(HTTP_PORT + "/tcp"), config.toString());
            assertEquals("resource-allocator-service", config.path("Labels").path("org.opencontainers.image.title").asText());
            assertEquals(TAG, config.path("Labels").path("org.opencontainers.image.version").asText());
            assertEquals(runtime.javaVersion(), config.path("Labels").path(ServiceImage.JAVA_LABEL).asText());
            assertEquals(classData.label, config.path("Labels").path(ServiceImage.CLASS_DATA_LABEL).asText());

            // Under /tmp, world-traversable: the entrypoint runs as the image's user, who must reach it.
            Path rootfs = Files.createTempDirectory("envgrid-rootfs");
            Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
            long bytes = 0;
            for (JsonNode layer : manifest.path("layers")) {
                Path blob = reader.blobTo(REPOSITORY, layer.path("digest").asText(),
                        run.resolve(layer.path("digest").asText().replace(':', '-') + ".tar.gz"));
                bytes += Files.size(blob);
                untar(blob, rootfs);
            }
            assertEquals(4, manifest.path("layers").size(), "runtime, dependencies, application, class-data");
            String user = config.path("User").asText();
            List<String> withoutArchiveEntrypoint = entrypoint.stream().filter(arg -> !arg.startsWith(classData.option)).toList();
            List<Start> withArchive = new ArrayList<>();
            List<Start> withoutArchive = new ArrayList<>();
            try {
                // With the archive first in each pair: the second start finds the jars warmer in the page cache,
                // which favours the start without it, so the printed saving is not flattered.
                for (int pair = 1; pair <= START_PAIRS; pair++) {
                    withArchive.add(startFromLayers(entrypoint, classData, user, rootfs, run.resolve("with-archive-" + pair + ".log")));
                    withoutArchive.add(startFromLayers(withoutArchiveEntrypoint, classData, user, rootfs,
                            run.resolve("without-archive-" + pair + ".log")));
                }
            } finally {
                deleteTree(rootfs);
            }
            for (int pair = 1; pair <= START_PAIRS; pair++) {
                Start start = withArchive.get(pair - 1);
                Path log = run.resolve("with-archive-" + pair + ".log");
                // Opened is not enough: an AppCDS archive whose jars differ (size, mtime) is mapped, then dropped
                // ("UseSharedSpaces: A jar file is not the one used while building the shared archive file") and the
                // start runs without it; the JVM warns the same way when it drops an AOT cache.
                List<String> refusals = start.log().lines()
                        .filter(line -> line.contains("UseSharedSpaces:") || line.contains("[warning][" + classData.logTag)).toList();
                assertTrue(start.log().contains(classData.opened),
                        "the entrypoint opens the image's " + classData.label + " (" + classData.opened + "); see " + log);
                assertTrue(start.appClassesFromArchive() > 0,
                        "the allocator's own classes come from the " + classData.label + " " + refusals + "; see " + log);
                assertEquals(0, withoutArchive.get(pair - 1).appClassesFromArchive(), "the comparison start runs without it");
            }
            System.out.printf("deploy-check image %s:%s %s: %d layers, %.1f MB compressed; jlink %d ms, record %s"
                            + " + build + push %d ms; started from its layers as %s (runtime from JDK %s), median of %d: live in"
                            + " %d ms with the %s (%d classes from it, %d of the allocator's), %d ms without; ms with %s, without %s%n",
                    REPOSITORY, TAG, digest, manifest.path("layers").size(), bytes / 1e6,
                    TimeUnit.NANOSECONDS.toMillis(linked - t0), classData.label, TimeUnit.NANOSECONDS.toMillis(pushed - linked),
                    asImageUser() ? "uid " + ServiceImage.USER : "the test's user", runtime.javaVersion(),
                    START_PAIRS, median(withArchive), classData.label, withArchive.get(0).fromArchive(),
                    withArchive.get(0).appClassesFromArchive(), median(withoutArchive),
                    millis(withArchive), millis(withoutArchive));
        }
    }

    private static List<Long> millis(List<Start> starts) {
        return starts.stream().map(start -> start.live().toMillis()).toList();
    }

    private static long median(List<Start> starts) {
        List<Long> sorted = millis(starts).stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /**
     * One start from the unpacked layers.
     *
     * @param live           launch to the first 200 of /q/health/live
     * @param log                   the process's output, with the JVM's CDS or AOT and class-loading log
     * @param fromArchive           classes loaded from the image's class data (with an AOT cache the JDK's too: it
     *                              replaces the JDK's archive)
     * @param appClassesFromArchive the allocator's own classes among them
     */
    private record Start(Duration live, String log, long fromArchive, long appClassesFromArchive) {
    }

    /**
     * Runs the image's entrypoint with its absolute paths under the unpacked root, as the image's user when the
     * test runs as root (CI does; setpriv drops to it), and waits for liveness.
     */
    private static Start startFromLayers(List<String> entrypoint, ClassData classData, String user, Path rootfs, Path log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (asImageUser()) {
            String[] ids = user.split(":");
            command.addAll(List.of(SETPRIV.toString(), "--reuid=" + ids[0], "--regid=" + ids[1], "--clear-groups", "--"));
        }
        for (String arg : entrypoint) {
            command.add(arg.startsWith("/") ? rootfs + arg : arg);
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(rootfs.resolve(ServiceImage.APP.toString().substring(1)).toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        // No Redis here: liveness does not need it, readiness would.
        builder.environment().put("QUARKUS_REDIS_HOSTS", "redis://127.0.0.1:1");
        // The allocator does not start without a service token unless told to run open (logged as a warning).
        builder.environment().put("ENVGRID_ALLOCATOR_AUTH", "open");
        // Added to the pods' own JVM options in the variable they use, so the entrypoint runs unchanged: the JVM logs
        // the class data it opens and where each class came from.
        builder.environment().put("JDK_JAVA_OPTIONS", podJvmOptions() + " " + classData.logging());
        long start = System.nanoTime();
        Process process = builder.start();
        Duration live;
        try {
            Await.untilHttpOk("the image's entrypoint answering /q/health/live",
                    URI.create("http://127.0.0.1:" + port + "/q/health/live"), START_TIMEOUT, process, log);
            live = Duration.ofNanos(System.nanoTime() - start);
        } finally {
            Await.stop(process);
        }
        String output = Files.readString(log);
        List<String> fromArchive = output.lines().filter(line -> line.contains(classData.classSource)).toList();
        return new Start(live, output, fromArchive.size(), fromArchive.stream().filter(line -> line.contains(APP_CLASSES)).count());
    }

    /** The JDK_JAVA_OPTIONS value the patch in k8s/base/jvm-options.yaml adds to every service container. */
    static String podJvmOptions() throws IOException {
        return ImageRuntime.podJvmOptions(POD_JVM_OPTIONS);
    }

    /** Whether the entrypoint can run as the image's user: only root can switch to it. */
    private static boolean asImageUser() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(SETPRIV);
    }

    static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    static void untar(Path blob, Path into) throws IOException, InterruptedException {
        Process tar = new ProcessBuilder("tar", "--warning=no-unknown-keyword", "-xzf", blob.toString(), "-C", into.toString()).redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes());
        if (tar.waitFor() != 0) {
            throw new IOException("tar failed: " + out);
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}

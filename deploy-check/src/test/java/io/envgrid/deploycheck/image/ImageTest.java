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
 * and starts its entrypoint from the unpacked layers, as the image's user where the test may switch to it. Needs the allocator packaged
 * ({@code resource-allocator-service/target/quarkus-app}, built earlier in the reactor).
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

    @Test
    void allocatorImageIsBuiltPushedReadBackAndStarts() throws Exception {
        Path quarkusApp = ROOT.resolve(MODULE).resolve("target/quarkus-app");
        assertTrue(Files.isRegularFile(quarkusApp.resolve("quarkus-run.jar")),
                "package " + MODULE + " first (mvn -B -pl " + MODULE + " -am install -DskipTests)");
        Path runtime = WORK.resolve("java-runtime");
        long t0 = System.nanoTime();
        if (!Files.isExecutable(runtime.resolve("bin/java"))) {
            JlinkRuntime.link(runtime);
        }
        long linked = System.nanoTime();
        ServiceImage image = new ServiceImage(REPOSITORY, TAG, quarkusApp, HTTP_PORT);
        Path run = Files.createTempDirectory(Files.createDirectories(WORK), "run");
        try (LocalRegistry registry = LocalRegistry.start(run.resolve("registry"))) {
            String digest = image.push(runtime, registry.host(), true, WORK.resolve("jib-cache"));
            long pushed = System.nanoTime();

            RegistryReader reader = new RegistryReader(registry.url());
            RegistryReader.Manifest read = reader.manifest(REPOSITORY, TAG);
            assertEquals(digest, read.digest(), "the tag resolves to the pushed manifest");
            JsonNode manifest = read.json();
            JsonNode config = reader.jsonBlob(REPOSITORY, manifest.path("config").path("digest").asText()).path("config");
            assertEquals(ServiceImage.USER, config.path("User").asText());
            assertNotEquals("0", config.path("User").asText().split(":")[0]);
            assertEquals(image.entrypoint(), strings(config.path("Entrypoint")));
            assertTrue(config.path("ExposedPorts").has(HTTP_PORT + "/tcp"), config.toString());
            assertEquals("resource-allocator-service", config.path("Labels").path("org.opencontainers.image.title").asText());
            assertEquals(TAG, config.path("Labels").path("org.opencontainers.image.version").asText());

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
            assertEquals(3, manifest.path("layers").size(), "runtime, dependencies, application");
            Duration startup;
            try {
                startup = startFromLayers(image, config.path("User").asText(), rootfs, run);
            } finally {
                deleteTree(rootfs);
            }
            System.out.printf("deploy-check image %s:%s %s: %d layers, %.1f MB compressed; jlink %d ms, build+push %d ms,"
                            + " started from its layers as %s in %d ms%n", REPOSITORY, TAG, digest, manifest.path("layers").size(),
                    bytes / 1e6, TimeUnit.NANOSECONDS.toMillis(linked - t0), TimeUnit.NANOSECONDS.toMillis(pushed - linked),
                    asImageUser() ? "uid " + ServiceImage.USER : "the test's user", startup.toMillis());
        }
    }

    /**
     * Runs the image's entrypoint with its absolute paths under the unpacked root, as the image's user when the
     * test runs as root (CI does; setpriv drops to it), and waits for liveness.
     */
    private static Duration startFromLayers(ServiceImage image, String user, Path rootfs, Path run)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (asImageUser()) {
            String[] ids = user.split(":");
            command.addAll(List.of(SETPRIV.toString(), "--reuid=" + ids[0], "--regid=" + ids[1], "--clear-groups", "--"));
        }
        for (String arg : image.entrypoint()) {
            command.add(arg.startsWith("/") ? rootfs + arg : arg);
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(rootfs.resolve(ServiceImage.APP.toString().substring(1)).toFile())
                .redirectErrorStream(true)
                .redirectOutput(run.resolve("service.log").toFile());
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        // No Redis here: liveness does not need it, readiness would.
        builder.environment().put("QUARKUS_REDIS_HOSTS", "redis://127.0.0.1:1");
        // The allocator does not start without a service token unless told to run open (logged as a warning).
        builder.environment().put("ENVGRID_ALLOCATOR_AUTH", "open");
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            Await.untilHttpOk("the image's entrypoint answering /q/health/live",
                    URI.create("http://127.0.0.1:" + port + "/q/health/live"), START_TIMEOUT, process, run.resolve("service.log"));
            return Duration.ofNanos(System.nanoTime() - start);
        } finally {
            Await.stop(process);
        }
    }

    /** Whether the entrypoint can run as the image's user: only root can switch to it. */
    private static boolean asImageUser() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(SETPRIV);
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void untar(Path blob, Path into) throws IOException, InterruptedException {
        Process tar = new ProcessBuilder("tar", "--warning=no-unknown-keyword", "-xzf", blob.toString(), "-C", into.toString()).redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes());
        if (tar.waitFor() != 0) {
            throw new IOException("tar failed: " + out);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}

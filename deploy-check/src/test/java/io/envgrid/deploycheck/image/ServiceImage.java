package io.envgrid.deploycheck.image;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * A service's image, built with Jib (no Docker daemon) from {@code scratch}: the jlink'ed runtime, then the
 * Quarkus fast-jar's dependencies, then the application, then its class data ({@link ClassData}: JDK 25's AOT cache
 * or JDK 17's AppCDS archive, {@link ImageRuntime}; recorded for exactly these files by {@link AppCdsArchive}), each
 * its own layer so a code change re-pushes only the last two. Runs as uid/gid 185 (the manifests' runAsUser), exposes
 * {@code quarkus.http.port}; labels name the runtime's JDK version and the kind of class data.
 *
 * @param repository  {@code envgrid/<module>}
 * @param tag         the image tag
 * @param quarkusApp  the module's {@code target/quarkus-app}
 * @param httpPort    the port to expose
 */
record ServiceImage(String repository, String tag, Path quarkusApp, int httpPort) {

    static final String USER = "185:185";
    static final AbsoluteUnixPath JAVA_HOME = AbsoluteUnixPath.get("/opt/java");
    static final AbsoluteUnixPath APP = AbsoluteUnixPath.get("/deployments");
    /** Container-sized heap: the limit, not the node, bounds it. */
    static final List<String> JVM_OPTIONS = List.of("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");
    /** The fast-jar's launcher, in {@link #APP}. */
    static final String RUNNER = "quarkus-run.jar";
    /** Label: the version of the JDK the image's runtime was linked from. */
    static final String JAVA_LABEL = "io.envgrid.image.java";
    /** Label: the kind of class data the image carries ({@link ClassData#label}: aot-cache or appcds). */
    static final String CLASS_DATA_LABEL = "io.envgrid.image.class-data";

    /**
     * The entrypoint: the runtime's java on the fast-jar, with its class data ({@link ClassData#entrypointOptions}).
     * Jar and archive are named relative to the working directory {@link #APP} because the archive records the class
     * path as given and is recorded in a staging copy. Class data the JVM refuses (another runtime, a changed jar)
     * costs start-up time, never the start.
     */
    static List<String> entrypoint(ClassData classData) {
        List<String> command = new java.util.ArrayList<>();
        command.add(JAVA_HOME.resolve("bin/java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(classData.entrypointOptions());
        command.add("-jar");
        command.add(RUNNER);
        return command;
    }

    /**
     * Builds and pushes the image.
     *
     * @param runtime   the jlink'ed runtime and its class data
     * @param registry  {@code host[:port]} of the registry; credentials come from ~/.docker/config.json if any
     * @param plainHttp whether the registry speaks HTTP rather than HTTPS (a loopback test registry)
     * @param cache     Jib's layer cache
     * @param staging   scratch directory for recording the class-data archive (replaced)
     * @return the pushed image's digest ({@code sha256:…})
     */
    String push(ImageRuntime runtime, String registry, boolean plainHttp, Path cache, Path staging)
            throws IOException, InterruptedException {
        // The layers are built from the staged copy the archive was recorded against, not from quarkusApp.
        Path deployments = AppCdsArchive.record(runtime, quarkusApp, staging);
        try {
            ImageReference target = ImageReference.parse(registry + "/" + repository + ":" + tag);
            RegistryImage destination = RegistryImage.named(target)
                    .addCredentialRetriever(CredentialRetrieverFactory.forImage(target, event -> { }).dockerConfig());
            JibContainer container = onto(Jib.fromScratch(), runtime, deployments)
                    .containerize(containerizer(destination, plainHttp, cache));
            return container.getDigest().toString();
        } catch (InvalidImageReferenceException | RegistryException | CacheDirectoryCreationException | ExecutionException e) {
            throw new IOException("building " + repository + ":" + tag + " failed", e);
        }
    }

    /**
     * How every image of deploy-check is pushed: to {@code destination}, over plain HTTP when {@code plainHttp} (the
     * loopback registry), with Jib's base and application layer caches under {@code cache}.
     */
    static Containerizer containerizer(RegistryImage destination, boolean plainHttp, Path cache) {
        return Containerizer.to(destination)
                .setAllowInsecureRegistries(plainHttp)
                .setBaseImageLayersCache(cache.resolve("base"))
                .setApplicationLayersCache(cache.resolve("application"))
                .setToolName("envgrid-deploy-check");
    }

    /**
     * The service's four layers and its settings (entrypoint, working directory, user {@link #USER}, its port, Java's
     * environment, OCI labels) on {@code base}: {@code scratch} for a service image, the desktop programs for the
     * desktop host ({@link DesktopHostImage}, which then changes what differs).
     *
     * @param deployments the staged fast-jar with its class data ({@link AppCdsArchive#record})
     */
    JibContainerBuilder onto(JibContainerBuilder base, ImageRuntime runtime, Path deployments) throws IOException {
        String classData = runtime.classData().file;
        return base.addFileEntriesLayer(tree("java-runtime", runtime.path(), JAVA_HOME))
                .addFileEntriesLayer(tree("dependencies", deployments.resolve("lib"), APP.resolve("lib")))
                .addFileEntriesLayer(application(deployments, classData))
                .addFileEntriesLayer(tree("class-data", deployments.resolve(classData), APP.resolve(classData)))
                .setEntrypoint(entrypoint(runtime.classData()))
                .setWorkingDirectory(APP)
                .setUser(USER)
                .setExposedPorts(java.util.Set.of(Port.tcp(httpPort)))
                .setEnvironment(Map.of("JAVA_HOME", JAVA_HOME.toString(), "LANG", "C.UTF-8"))
                .setLabels(labels(runtime))
                .setCreationTime(Instant.EPOCH)
                .setFormat(ImageFormat.OCI);
    }

    /**
     * The OCI labels: title (the module), version (the tag), source; and the runtime's JDK version
     * ({@link #JAVA_LABEL}) and class data ({@link #CLASS_DATA_LABEL}).
     */
    Map<String, String> labels(ImageRuntime runtime) {
        return Map.of("org.opencontainers.image.title", repository.substring(repository.indexOf('/') + 1),
                "org.opencontainers.image.version", tag,
                "org.opencontainers.image.source", "envgrid",
                JAVA_LABEL, runtime.javaVersion(),
                CLASS_DATA_LABEL, runtime.classData().label);
    }

    /** quarkus-run.jar, app/ and quarkus/: what changes with the code. */
    private static FileEntriesLayer application(Path deployments, String classData) throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("application");
        try (var entries = Files.list(deployments)) {
            for (Path entry : entries.filter(p -> !List.of("lib", classData).contains(p.getFileName().toString())).toList()) {
                add(layer, entry, APP.resolve(entry.getFileName().toString()));
            }
        }
        return layer.build();
    }

    private static FileEntriesLayer tree(String name, Path source, AbsoluteUnixPath target) throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        add(layer, source, target);
        return layer.build();
    }

    /**
     * Adds a tree keeping each file's permission bits (the runtime's bin/java must stay executable), dated
     * {@link AppCdsArchive#FILE_TIME} as the staged copy the archive was recorded against.
     */
    private static void add(FileEntriesLayer.Builder layer, Path source, AbsoluteUnixPath target) throws IOException {
        try (var paths = Files.walk(source)) {
            paths.forEach(path -> {
                AbsoluteUnixPath destination = target;
                for (Path part : source.relativize(path)) {
                    if (!part.toString().isEmpty()) {
                        destination = destination.resolve(part.toString());
                    }
                }
                try {
                    layer.addEntry(path, destination, FilePermissions.fromPosixFilePermissions(Files.getPosixFilePermissions(path)),
                            AppCdsArchive.FILE_TIME);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}

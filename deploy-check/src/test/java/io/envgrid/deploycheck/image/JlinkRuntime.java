package io.envgrid.deploycheck.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The images' base: a Java runtime cut with {@code jlink} from the JDK {@link ImageRuntime} picks (a JDK 25 or later
 * when the build machine has one, the build's own JDK otherwise), so the image needs no base from a remote registry
 * (none is reachable here) and carries only the modules the services use. It carries the JDK's base class-data
 * sharing archive ({@code lib/server/classes.jsa}), which a JDK 17 image's application archive ({@link AppCdsArchive})
 * is recorded on top of (without it the JVM refuses to record one), and which a JDK 25 runtime falls back to if it
 * refuses its AOT cache. A JDK 25 without {@code jmods/} (Temurin's) links from its own run-time image (JEP 493).
 */
final class JlinkRuntime {

    /**
     * What Quarkus services on Vert.x need: naming/management (SmallRye, Micrometer), sql and xml (Jackson,
     * OpenAPI), desktop (java.beans, used by some libraries' introspection), jdk.unsupported (Netty), EC
     * crypto (TLS), zipfs (Quarkus' class loading of jars), net.http. Proved sufficient by ImageTest, which
     * starts a service on it.
     */
    static final List<String> MODULES = List.of("java.base", "java.logging", "java.management", "java.naming",
            "java.net.http", "java.security.jgss", "java.sql", "java.xml", "java.desktop", "java.instrument",
            "jdk.unsupported", "jdk.crypto.ec", "jdk.management", "jdk.zipfs");
    private static final long TIMEOUT_SECONDS = 300;

    private JlinkRuntime() {
    }

    /**
     * Links the runtime from {@code jdk} into {@code target} unless one of its version is there already (linking takes
     * 20-90 s); one linked by another JDK, or before the runtime carried its base CDS archive, is linked again.
     *
     * @param jdk     the JDK to link from (its {@code bin/jlink})
     * @param version its {@code JAVA_VERSION}
     * @return {@code target}, holding {@code bin/java}
     */
    static Path linkUnlessPresent(Path target, Path jdk, String version) throws IOException, InterruptedException {
        Path release = target.resolve("release");
        if (Files.isExecutable(target.resolve("bin/java")) && Files.isRegularFile(baseArchive(target))
                && Files.isRegularFile(release)
                && Files.readAllLines(release).contains("JAVA_VERSION=\"" + version + "\"")) {
            return target;
        }
        if (Files.exists(target)) {
            try (var paths = Files.walk(target)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        return link(target, jdk);
    }

    /** The base CDS archive of a runtime (the JDK's default archive, used with compressed oops). */
    static Path baseArchive(Path runtime) {
        return runtime.resolve("lib/server/classes.jsa");
    }

    /**
     * Links the runtime from {@code jdk} into {@code target} (which must not exist yet).
     *
     * @return {@code target}, holding {@code bin/java}
     */
    static Path link(Path target, Path jdk) throws IOException, InterruptedException {
        Path jlink = jdk.resolve("bin/jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IllegalStateException("no jlink in " + jdk + ": the build needs a JDK");
        }
        Files.createDirectories(target.getParent());
        Path log = target.resolveSibling("jlink.log");
        // --generate-cds-archive (JDK 17+): the base archive a dynamic one needs; a runtime without it runs without
        // class-data sharing at all and cannot record an application archive.
        Process process = new ProcessBuilder(jlink.toString(), "--add-modules", String.join(",", MODULES),
                "--strip-debug", "--generate-cds-archive", "--no-header-files", "--no-man-pages", "--output", target.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("jlink failed: " + Files.readString(log));
        }
        if (!Files.isRegularFile(baseArchive(target))) {
            throw new IllegalStateException("jlink made no base CDS archive in " + target + ": " + Files.readString(log));
        }
        return target;
    }
}

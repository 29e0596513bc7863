package io.envgrid.deploycheck.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The images' base: a Java runtime cut from the JDK running the build with {@code jlink}, so the image needs no
 * base from a remote registry (none is reachable here) and carries only the modules the services use.
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
     * Links the runtime into {@code target} (which must not exist yet).
     *
     * @return {@code target}, holding {@code bin/java}
     */
    static Path link(Path target) throws IOException, InterruptedException {
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IllegalStateException("no jlink in " + System.getProperty("java.home") + ": the build needs a JDK");
        }
        Files.createDirectories(target.getParent());
        Path log = target.resolveSibling("jlink.log");
        Process process = new ProcessBuilder(jlink.toString(), "--add-modules", String.join(",", MODULES),
                "--strip-debug", "--no-header-files", "--no-man-pages", "--output", target.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("jlink failed: " + Files.readString(log));
        }
        return target;
    }
}

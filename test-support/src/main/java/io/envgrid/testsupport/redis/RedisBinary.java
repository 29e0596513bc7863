package io.envgrid.testsupport.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the tests find Redis' programs: {@code redis-server} on PATH, else the static 7.0.15 binary inside the
 * embedded-redis jar (which must be on the class path), copied to {@code target/redis-bin/} once. The same program is
 * a Sentinel when started as {@code redis-sentinel} or with {@code --sentinel}.
 */
public final class RedisBinary {

    private RedisBinary() {
    }

    /**
     * The redis-server program.
     *
     * @throws IllegalStateException when there is none on PATH and none in the class path's embedded-redis jar
     */
    public static synchronized Path server() {
        Optional<Path> installed = onPath("redis-server");
        if (installed.isPresent()) {
            return installed.get();
        }
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String name = "redis-server-7.0.15-linux-" + (arch.contains("aarch64") || arch.contains("arm64") ? "arm64" : "amd64");
        Path bin = Path.of("target", "redis-bin", name).toAbsolutePath();
        if (!Files.isExecutable(bin)) {
            try (InputStream in = RedisBinary.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("no redis-server on PATH and no " + name + " in embedded-redis");
                }
                Files.createDirectories(bin.getParent());
                Path partial = Files.createTempFile(bin.getParent(), name, ".part");
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                partial.toFile().setExecutable(true);
                Files.move(partial, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bin;
    }

    /** The first executable {@code binary} in a directory of PATH, if any. */
    public static Optional<Path> onPath(String binary) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, binary);
            if (!entry.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}

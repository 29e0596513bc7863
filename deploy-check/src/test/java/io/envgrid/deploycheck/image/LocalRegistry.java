package io.envgrid.deploycheck.image;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A container registry on loopback for the test run: Debian's {@code docker-registry} (the CNCF distribution
 * registry, installed by {@code ./envgrid test}), with its storage under the given directory. Plain HTTP, which
 * clients accept for localhost.
 */
final class LocalRegistry implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final int port;

    private LocalRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts it on a free loopback port and returns once {@code GET /v2/} answers 200. */
    static LocalRegistry start(Path work) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: ./envgrid test installs the docker-registry package");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(work);
        Path config = work.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(work.resolve("storage"), port));
        Process process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("registry.log").toFile())
                .start();
        LocalRegistry registry = new LocalRegistry(process, port);
        try {
            Await.untilHttpOk("the registry answering /v2/", URI.create(registry.url() + "/v2/"), START_TIMEOUT,
                    process, work.resolve("registry.log"));
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** {@code localhost:<port>}, the registry part of an image reference. */
    String host() {
        return "localhost:" + port;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        Await.stop(process);
    }
}

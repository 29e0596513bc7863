package io.envgrid.rag.allocator;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisServer;

/**
 * The real resource allocator for the registration test: its packaged application
 * ({@code ../resource-allocator-service/target/quarkus-app/quarkus-run.jar}, built earlier in the
 * reactor) as a child JVM on a real redis-server from embedded-redis.
 */
public class RealAllocator implements QuarkusTestResourceLifecycleManager {

    static String url;
    private RedisServer redis;
    private Process allocator;

    @Override
    public Map<String, String> start() {
        Path app = Path.of("..", "resource-allocator-service", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        if (!Files.isRegularFile(app)) {
            throw new IllegalStateException(app + " is missing: build the allocator first (./envgrid test does)");
        }
        try {
            int redisPort = freePort();
            redis = RedisServer.builder().port(redisPort).bind("127.0.0.1").setting("save \"\"").build();
            redis.start();
            int port = freePort();
            allocator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.redis.hosts=redis://127.0.0.1:" + redisPort, "-jar", app.toString())
                    .redirectErrorStream(true).redirectOutput(Path.of("target", "allocator.log").toFile()).start();
            url = "http://127.0.0.1:" + port;
            awaitReady();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("envgrid.allocator.url", url, "envgrid.rag.instance-id", "test",
                "envgrid.rag.registration.interval", "500ms");
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
                Thread.sleep(100);
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the allocator did not start; see target/allocator.log");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void stop() {
        if (allocator != null) {
            allocator.destroy();
        }
        if (redis != null) {
            redis.stop();
        }
    }
}

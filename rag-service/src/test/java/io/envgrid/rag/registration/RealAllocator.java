package io.envgrid.rag.registration;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.rag.support.PackagedApps;
import io.envgrid.rag.api.Api;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import redis.embedded.RedisServer;

/**
 * The real resource allocator for the registration and access tests: its packaged application
 * ({@code ../resource-allocator-service/target/quarkus-app/quarkus-run.jar}, built earlier in the
 * reactor) as a child JVM on a real redis-server from embedded-redis.
 */
public class RealAllocator implements QuarkusTestResourceLifecycleManager {

    public static String url;
    private RedisServer redis;
    private PackagedApp allocator;

    @Override
    public Map<String, String> start() {
        int redisPort = PackagedApp.freePort();
        redis = RedisServer.builder().port(redisPort).bind("127.0.0.1").setting("save \"\"").build();
        redis.start();
        // The allocator wants the service token, as in a deployment: rag-service's registration and lease checks send it.
        allocator = PackagedApps.allocator(Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + redisPort,
                        "envgrid.allocator.service-token", Api.SERVICE_TOKEN),
                Path.of("target", "allocator.log"));
        url = allocator.url();
        return Map.of("envgrid.allocator.url", url, "envgrid.rag.instance-id", "test",
                "envgrid.rag.registration.interval", "500ms");
    }

    /** A request to the allocator with the service token (the allocator refuses calls without it). */
    public static RequestSpecification given() {
        return RestAssured.given().baseUri(url).header("Authorization", "Bearer " + Api.SERVICE_TOKEN);
    }

    /** Polls {@code condition} every 50 ms until it holds; fails after 20 s. */
    public static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void stop() {
        if (allocator != null) {
            allocator.stop();
        }
        if (redis != null) {
            redis.stop();
        }
    }
}

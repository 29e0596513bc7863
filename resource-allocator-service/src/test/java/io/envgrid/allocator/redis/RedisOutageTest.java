package io.envgrid.allocator.redis;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.registerPool;
import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.equalTo;

import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.RedisTestResource;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Redis going away and coming back (empty, scripts flushed) needs no restart of the service. */
@QuarkusTest
@WithRedis
class RedisOutageTest extends CleanRedis {

    @AfterEach
    void redisIsBack() {
        RedisTestResource.startServer();
        Conditions.await(() -> get("/q/health/ready").statusCode() == 200, "ready again");
    }

    @Test
    void outageGives503AndNotReadyThenRecovers() {
        registerPool("rag", 1);
        RedisTestResource.stopServer();

        expectError(allocate("w1", List.of("rag"), 60), 503, "REDIS_UNAVAILABLE");
        Conditions.await(() -> get("/q/health/ready").statusCode() == 503, "readiness goes down");
        get("/q/health/live").then().statusCode(200);

        RedisTestResource.startServer();
        Conditions.await(() -> get("/q/health/ready").statusCode() == 200, "readiness comes back");
        registerPool("rag", 1);
        allocate("w1", List.of("rag"), 60).statusCode(200).body("rag.id", equalTo("rag-1"));
    }

    @Test
    void aMasterRefusingWritesGives503NotA500() {
        registerPool("rag", 1);
        // What a master cut off from its replicas answers when run with min-replicas-to-write.
        redis.execute("CONFIG", "SET", "min-replicas-to-write", "1");
        try {
            expectError(allocate("w1", List.of("rag"), 60), 503, "REDIS_UNAVAILABLE");
        } finally {
            redis.execute("CONFIG", "SET", "min-replicas-to-write", "0");
        }
        allocate("w1", List.of("rag"), 60).statusCode(200);
    }

    @Test
    void flushedScriptCacheIsReloaded() {
        registerPool("rag", 1);
        redis.execute("SCRIPT", "FLUSH");
        allocate("w1", List.of("rag"), 60).statusCode(200);
    }
}

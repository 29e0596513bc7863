package io.envgrid.allocator.support;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import jakarta.inject.Inject;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/** Base of the tests: every test starts on an empty Redis. */
public abstract class CleanRedis {

    /** Moves on its own: every reaper run pushes out its replica's liveness deadline (in every cell). */
    private static final String REPLICAS = "}:replicas";

    @Inject
    protected RedisDataSource redis;

    @BeforeEach
    protected void flush() {
        redis.flushall();
    }

    /**
     * Every key with its serialized value (the audit stream included, so any grant or release
     * shows), except the replicas' liveness of every cell, which the reaper moves with time.
     */
    protected Map<String, String> keyspace() {
        Map<String, String> out = new HashMap<>();
        for (String key : redis.key().keys("*")) {
            if (!key.endsWith(REPLICAS)) {
                out.put(key, Base64.getEncoder().encodeToString(redis.execute("DUMP", key).toBytes()));
            }
        }
        return out;
    }

    /** The kinds of the default cell's audit events that name {@code worker}, in stream order. */
    protected List<String> auditKindsFor(String worker) {
        return redis.stream(String.class, String.class, String.class).xrange("{envgrid}:events", StreamRange.of("-", "+"))
                .stream()
                .map(StreamMessage::payload)
                .filter(p -> worker.equals(p.get("worker")))
                .map(p -> p.get("kind")).toList();
    }
}

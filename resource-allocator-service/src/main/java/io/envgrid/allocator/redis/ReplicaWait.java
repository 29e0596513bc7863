package io.envgrid.allocator.redis;

import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * {@code envgrid.allocator.redis.wait-replicas}: runs a write and then {@code WAIT <replicas> <timeout>} on the same
 * connection, so that its caller is answered only once that many replicas hold the write (Redis replicates
 * asynchronously; a failover to a replica that missed an acknowledged grant would grant it again). {@code WAIT}
 * covers every earlier write of its connection, which is why both go over one connection. Fewer acknowledgements
 * within {@code wait-timeout} fail the call with 503 {@code REPLICATION_TIMEOUT}: the master applied the write,
 * it may or may not survive a failover, and the caller retries (a {@code request_id} replays a grant that did).
 * Off (0), a write runs on the pool as before. Redis failures become the service's 503 as in {@link ScriptRunner}.
 */
@ApplicationScoped
public class ReplicaWait {

    private final ReactiveRedisDataSource redis;
    private final int replicas;
    private final long timeoutMs;

    public ReplicaWait(ReactiveRedisDataSource redis, AllocatorConfig config) {
        this.redis = redis;
        this.replicas = config.redis().waitReplicas();
        this.timeoutMs = Math.max(1, config.redis().waitTimeout().toMillis());
        if (replicas < 0) {
            throw new IllegalStateException("envgrid.allocator.redis.wait-replicas must be 0 or more, not " + replicas);
        }
    }

    public boolean enabled() {
        return replicas > 0;
    }

    /** Runs {@code write} (on one connection) and, when enabled, waits for the replicas to acknowledge it. */
    public Uni<Response> write(Function<ReactiveRedisDataSource, Uni<Response>> write) {
        if (!enabled()) {
            return write.apply(redis).onFailure().transform(ScriptRunner::toApiFailure);
        }
        AtomicReference<Response> answer = new AtomicReference<>();
        return redis.withConnection(connection -> write.apply(connection)
                        .invoke(answer::set)
                        .chain(() -> connection.execute("WAIT", Integer.toString(replicas), Long.toString(timeoutMs)))
                        .invoke(acknowledged -> {
                            if (acknowledged.toInteger() < replicas) {
                                throw new ApiException(503, ErrorCode.REPLICATION_TIMEOUT, acknowledged.toInteger() + " of "
                                        + replicas + " replicas acknowledged the write within " + timeoutMs + " ms; retry",
                                        Map.of("acknowledged", acknowledged.toInteger(), "required", replicas));
                            }
                        })
                        .replaceWithVoid())
                .map(ignored -> answer.get())
                .onFailure().transform(ScriptRunner::toApiFailure);
    }
}

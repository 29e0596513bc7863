package io.envgrid.vmcontroller.redis;

import io.envgrid.redisscripts.LuaScript;
import io.envgrid.vmcontroller.config.VmControllerConfig;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.error.ErrorCode;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * {@code envgrid.vm-controller.redis.wait-replicas}: a session store script whose answer confirms a session to the
 * caller is followed by {@code WAIT <replicas> <wait-timeout>} before that answer is used.
 *
 * <p>Why one connection: Redis answers {@code WAIT} for the replication offset of the last write made <em>on the
 * connection it arrives on</em>, so the script and the {@code WAIT} are sent over one connection taken from the pool
 * ({@code withConnection}); {@link LuaScript#runOnConnection} sends its NOSCRIPT retry on that connection too, so the
 * {@code EVAL} that did the writing is the one covered.
 *
 * <p>Answers: the script's answer, unchanged, when {@code confirms} rejects it (a refusal: nothing to keep) or once
 * the replicas acknowledged. Fewer acknowledgements within the timeout fail with {@link ApiException} 503
 * {@code REPLICATION_TIMEOUT} ({@code details.acknowledged}, {@code required}): the master did apply the writes, a
 * failover may or may not keep them, and the caller sends the same request again. Redis errors pass through as the
 * Uni's failure, for the caller to map ({@code SessionService}: 503 {@code REDIS_UNAVAILABLE}). Off (0, the
 * default) the script runs on the pool exactly as without this class.
 */
@ApplicationScoped
public class ReplicaAcknowledgement {

    private final ReactiveRedisDataSource redis;
    private final int replicas;
    private final long timeoutMs;

    public ReplicaAcknowledgement(ReactiveRedisDataSource redis, VmControllerConfig config) {
        VmControllerConfig.Redis settings = config.redis();
        if (settings.waitReplicas() < 0) {
            throw new IllegalStateException("envgrid.vm-controller.redis.wait-replicas must be 0 or more, not "
                    + settings.waitReplicas());
        }
        if (settings.waitReplicas() > 0 && (settings.waitTimeout().toMillis() < 1
                || settings.waitTimeout().compareTo(config.redisTimeout()) >= 0)) {
            // WAIT 0 would block for ever; one at or past redis-timeout would be cut off by it and answer
            // REDIS_UNAVAILABLE instead of the retryable REPLICATION_TIMEOUT with its figures.
            throw new IllegalStateException("envgrid.vm-controller.redis.wait-timeout (" + settings.waitTimeout()
                    + ") must be at least 1 ms and shorter than envgrid.vm-controller.redis-timeout ("
                    + config.redisTimeout() + ")");
        }
        this.redis = redis;
        this.replicas = settings.waitReplicas();
        this.timeoutMs = settings.waitTimeout().toMillis();
    }

    /** Creates the bean at start, so a bad setting stops the service instead of failing its first session. */
    void checkAtStart(@Observes StartupEvent ignored) {
    }

    /** Whether answers wait for replicas at all ({@code wait-replicas} above 0). */
    public boolean enabled() {
        return replicas > 0;
    }

    /**
     * Runs {@code script} and, when enabled and {@code confirms} accepts its answer, waits for the replicas.
     *
     * @param confirms whether the answer tells the caller about state it may rely on after a failover
     * @return the script's answer; failed with 503 {@code REPLICATION_TIMEOUT} as described on the class
     */
    public Uni<Response> run(LuaScript script, List<String> keys, List<String> args, Predicate<Response> confirms) {
        if (!enabled()) {
            return script.run(redis, keys, args);
        }
        // withConnection gives back only completion, so the script's answer is carried out beside it.
        AtomicReference<Response> answer = new AtomicReference<>();
        return redis.withConnection(connection -> script.runOnConnection(connection, keys, args)
                        .invoke(answer::set)
                        .chain(written -> confirms.test(written) ? acknowledged(connection) : Uni.createFrom().voidItem()))
                .map(done -> answer.get());
    }

    private Uni<Void> acknowledged(ReactiveRedisDataSource connection) {
        return connection.execute("WAIT", Integer.toString(replicas), Long.toString(timeoutMs))
                .invoke(count -> {
                    int acknowledged = count.toInteger();
                    if (acknowledged < replicas) {
                        throw new ApiException(503, ErrorCode.REPLICATION_TIMEOUT, acknowledged + " of " + replicas
                                + " Redis replicas confirmed the session within " + timeoutMs
                                + " ms; send the same request again",
                                Map.of("acknowledged", acknowledged, "required", replicas));
                    }
                })
                .replaceWithVoid();
    }
}

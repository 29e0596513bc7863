package io.envgrid.allocator.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the allocator's Lua scripts by SHA. The SHA is computed locally, so start-up needs no
 * Redis; a NOSCRIPT answer (Redis restarted or flushed its script cache, or a Redis Cluster master
 * that never ran it) runs the same call once as {@code EVAL} with the script's text, which also
 * caches it there. Every call, {@code EVAL} included, carries its cell's key prefix as its key, so a
 * cluster client routes it to the master owning that prefix's slot; nothing here sends a keyless
 * command ({@code SCRIPT LOAD} would reach an arbitrary node on Redis Cluster). Loss of Redis
 * becomes a 503 for the caller.
 */
@ApplicationScoped
public class ScriptRunner {

    private final ReactiveRedisDataSource redis;
    private final ReplicaWait replicaWait;
    private final ObjectMapper json;
    private final Map<AllocatorScript, ScriptSource> scripts = new EnumMap<>(AllocatorScript.class);

    public ScriptRunner(ReactiveRedisDataSource redis, AllocatorConfig config, ObjectMapper json,
            ReplicaWait replicaWait) {
        this.redis = redis;
        this.replicaWait = replicaWait;
        this.json = json;
        for (AllocatorScript script : AllocatorScript.values()) {
            scripts.put(script, ScriptSource.of(script, config.eventsMaxLength(), config.fencing()));
        }
    }

    /**
     * Runs a script in one cell: with the cell's key prefix as its only key (which routes it on Redis Cluster) and
     * the given arguments. A script that answers a caller
     * after changing state waits for the replicas first when {@code wait-replicas} is set ({@link ReplicaWait}).
     */
    public Uni<Response> run(RedisKeys cell, AllocatorScript script, List<String> args) {
        ScriptSource loaded = scripts.get(script);
        Uni<Response> answer = script.answersAWrite()
                ? replicaWait.write(connection -> evaluate(connection, loaded, cell, args))
                : evaluate(redis, loaded, cell, args);
        return answer.onFailure().transform(ScriptRunner::toApiFailure);
    }

    private Uni<Response> evaluate(ReactiveRedisDataSource connection, ScriptSource loaded, RedisKeys cell,
            List<String> args) {
        return connection.execute("EVALSHA", command(loaded.sha(), cell, args))
                .onFailure(ScriptRunner::isNoScript)
                .recoverWithUni(() -> connection.execute("EVAL", command(loaded.source(), cell, args)));
    }

    /** Runs a script that answers with one JSON document (most of them). */
    public Uni<JsonNode> runJson(RedisKeys cell, AllocatorScript script, List<String> args) {
        return run(cell, script, args).map(answer -> {
            try {
                return json.readTree(answer.toString());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("unreadable answer of " + script + ": " + answer, e);
            }
        });
    }

    /** {@code <sha or source> 1 <prefix> args...}: the shape EVALSHA and EVAL share. */
    private static String[] command(String script, RedisKeys cell, List<String> args) {
        List<String> all = new ArrayList<>(args.size() + 3);
        all.add(script);
        all.add("1");
        all.add(cell.prefix());
        all.addAll(args);
        return all.toArray(String[]::new);
    }

    private static boolean isNoScript(Throwable t) {
        return t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT");
    }

    /**
     * Redis error replies that mean "not now, this node cannot take writes" rather than a broken
     * script: a master short of replicas ({@code min-replicas-to-write}), a demoted master after a
     * failover, a cluster mid-failover or migrating a slot. The caller may retry them. The last is
     * {@link ReplicaWait}'s {@code WAIT} on a connection that reaches a demoted master: the script before it ran on
     * that replica without writing (a write would have been {@code READONLY}), so nothing changed (seen in
     * cluster-test's SoakIT right after a Sentinel failover).
     */
    private static final List<String> UNAVAILABLE_REPLIES = List.of("NOREPLICAS", "READONLY", "MASTERDOWN", "CLUSTERDOWN",
            "TRYAGAIN", "LOADING", "ERR WAIT cannot be used with replica instances");

    /**
     * A Redis error reply is a bug in a script (500), unless it is one of {@link #UNAVAILABLE_REPLIES};
     * those and anything else mean Redis is out of reach (503).
     */
    static Throwable toApiFailure(Throwable t) {
        if (t instanceof ApiException) {
            return t;
        }
        String message = String.valueOf(t.getMessage());
        if (t instanceof io.vertx.redis.client.impl.types.ErrorType
                && UNAVAILABLE_REPLIES.stream().noneMatch(message::startsWith)) {
            return new ApiException(500, ErrorCode.INTERNAL_ERROR, "Redis refused a script: " + t.getMessage());
        }
        return new ApiException(503, ErrorCode.REDIS_UNAVAILABLE, "Redis is unavailable: " + t.getMessage());
    }

}

package io.envgrid.allocator.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
        return answer(cell, script, args, Response::newInstance);
    }

    /**
     * The script's answer turned into {@code T} by {@code read} on the answer's thread. Without {@code wait-replicas}
     * (or for a script that answers no write) it is one Vert.x future on the client, EVALSHA and its NOSCRIPT retry
     * composed there, that becomes a Uni once, at the end: every Mutiny stage of a request captures and restores the
     * propagated contexts around its callback, which per script call (a transform for the failure, one for the retry,
     * one for the reading) cost the allocator more CPU than the call itself.
     */
    private <T> Uni<T> answer(RedisKeys cell, AllocatorScript script, List<String> args,
            Function<io.vertx.redis.client.Response, T> read) {
        ScriptSource loaded = scripts.get(script);
        if (script.answersAWrite() && replicaWait.enabled()) {
            return replicaWait.write(connection -> evaluate(connection, loaded, cell, args))
                    .onFailure().transform(ScriptRunner::toApiFailure)
                    .map(answer -> read.apply(answer.getDelegate()));
        }
        io.vertx.redis.client.Redis client = redis.getRedis().getDelegate();
        Future<T> answer = client.send(request(Command.EVALSHA, loaded.sha(), cell, args))
                .recover(e -> isNoScript(e) ? client.send(request(Command.EVAL, loaded.source(), cell, args))
                        : Future.failedFuture(e))
                .map(read::apply);
        return Uni.createFrom().emitter(emitter -> answer.onComplete(done -> {
            if (done.succeeded()) {
                emitter.complete(done.result());
            } else {
                emitter.fail(toApiFailure(done.cause()));
            }
        }));
    }

    private static Request request(Command command, String script, RedisKeys cell, List<String> args) {
        Request request = Request.cmd(command).arg(script).arg(1).arg(cell.prefix());
        for (String arg : args) {
            request.arg(arg);
        }
        return request;
    }

    private Uni<Response> evaluate(ReactiveRedisDataSource connection, ScriptSource loaded, RedisKeys cell,
            List<String> args) {
        return connection.execute("EVALSHA", command(loaded.sha(), cell, args))
                .onFailure(ScriptRunner::isNoScript)
                .recoverWithUni(() -> connection.execute("EVAL", command(loaded.source(), cell, args)));
    }

    /** Runs a script that answers with one JSON document (most of them). */
    public Uni<JsonNode> runJson(RedisKeys cell, AllocatorScript script, List<String> args) {
        return answer(cell, script, args, answer -> {
            try {
                return json.readTree(answer.toBytes());
            } catch (IOException e) {
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
            "TRYAGAIN", "LOADING", "ERR WAIT cannot be used with replica instances",
            // not a reply: the Vert.x client fails the commands of a connection that closed (a master killed) with it
            "CONNECTION_CLOSED");

    /**
     * A Redis error reply is a bug in a script (500), unless it is one of {@link #UNAVAILABLE_REPLIES};
     * those and anything else mean Redis is out of reach (503).
     */
    static Throwable toApiFailure(Throwable t) {
        if (t instanceof ApiException) {
            return t;
        }
        String message = String.valueOf(t.getMessage());
        ApiException failure = t instanceof io.vertx.redis.client.impl.types.ErrorType
                && UNAVAILABLE_REPLIES.stream().noneMatch(message::startsWith)
                ? new ApiException(500, ErrorCode.INTERNAL_ERROR, "Redis refused a script: " + t.getMessage())
                : new ApiException(503, ErrorCode.REDIS_UNAVAILABLE, "Redis is unavailable: " + t.getMessage());
        // kept for mayHaveRun
        failure.initCause(t);
        return failure;
    }

    /**
     * Whether a failed call ({@link #toApiFailure}'s 503) may still have run its script in Redis, so that what it
     * would have written may be there: true for a connection that broke with the call in flight ({@code CONNECTION_CLOSED},
     * a timeout) and for {@code REPLICATION_TIMEOUT} (the master applied it); false when the call never reached Redis
     * (the connection could not be made) or Redis answered it with one of {@link #UNAVAILABLE_REPLIES} (refused before
     * it ran, or at its first write, which then wrote nothing; {@code WAIT} on a demoted master follows a script that
     * could not write).
     */
    public static boolean mayHaveRun(Throwable failure) {
        if (failure instanceof ApiException api && ErrorCode.REPLICATION_TIMEOUT.equals(api.code())) {
            return true;
        }
        Throwable cause = failure instanceof ApiException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof io.vertx.redis.client.impl.types.ErrorType) {
            return String.valueOf(cause.getMessage()).startsWith("CONNECTION_CLOSED");
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return false;
            }
        }
        return true;
    }

}

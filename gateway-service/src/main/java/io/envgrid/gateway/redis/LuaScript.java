package io.envgrid.gateway.redis;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One of the gateway's Lua scripts, sent by its SHA-1 ({@code EVALSHA}) so that a call carries only its keys and
 * arguments, not the script's text. The SHA is computed here once, so start-up needs no Redis. A Redis that does not
 * know the script (new, restarted, its cache flushed, or a Redis Cluster master that never ran it) answers
 * {@code NOSCRIPT}; the same call is then repeated once as {@code EVAL} with the text, which caches it there. That
 * {@code EVAL} carries the call's keys, so on Redis Cluster it reaches the master owning them: nothing here sends a
 * keyless {@code SCRIPT LOAD}, which a cluster client would send to an arbitrary node.
 */
public final class LuaScript {

    private final String text;
    private final String sha;

    private LuaScript(String text) {
        this.text = text;
        this.sha = sha1(text);
    }

    /** The script with this text (its SHA-1 computed now). */
    public static LuaScript of(String text) {
        return new LuaScript(text);
    }

    /** The SHA-1 Redis knows the script by ({@code SCRIPT EXISTS}, {@code EVALSHA}). */
    public String sha() {
        return sha;
    }

    /** Runs the script with these keys and arguments; answers its return value (null for a nil reply). */
    public Uni<Response> run(ReactiveRedisDataSource redis, List<String> keys, String... args) {
        return run(redis, keys, Arrays.asList(args));
    }

    /**
     * As {@link #run(ReactiveRedisDataSource, List, String...)}. The {@code EVALSHA} and its {@code NOSCRIPT} retry
     * are composed on the Vert.x client's future and become a {@link Uni} once: a Mutiny stage per step would capture
     * and restore the propagated contexts around each callback, on every script call of every request.
     */
    public Uni<Response> run(ReactiveRedisDataSource redis, List<String> keys, List<String> args) {
        Redis client = redis.getRedis().getDelegate();
        // sent on subscription, as the data source's own commands are (a caller may build it first, or retry it)
        return Uni.createFrom().emitter(emitter -> client.send(request(Command.EVALSHA, sha, keys, args))
                .recover(e -> isNoScript(e) ? client.send(request(Command.EVAL, text, keys, args)) : Future.failedFuture(e))
                .onComplete(done -> {
                    if (done.succeeded()) {
                        emitter.complete(Response.newInstance(done.result()));
                    } else {
                        emitter.fail(done.cause());
                    }
                }));
    }

    /** {@code <sha or text> <number of keys> keys... args...}: the shape EVALSHA and EVAL share. */
    private static Request request(Command command, String script, List<String> keys, List<String> args) {
        Request request = Request.cmd(command).arg(script).arg(keys.size());
        for (String key : keys) {
            request.arg(key);
        }
        for (String arg : args) {
            request.arg(arg);
        }
        return request;
    }

    private static boolean isNoScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

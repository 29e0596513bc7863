package io.envgrid.redisscripts;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * One Lua script, run on Redis by its SHA-1 ({@code EVALSHA}) so that a call carries only its keys and arguments, not
 * the script's text. The gateway's, the vm-controller's and the allocator's scripts all go through this class.
 *
 * <p>How a call goes, and why:
 * <ul>
 * <li>The SHA-1 is computed here, once, from the text: start-up needs no Redis and no round trip.</li>
 * <li>A Redis that does not know the script (new, restarted, its script cache flushed, or a Redis Cluster master that
 * never ran it) answers {@code NOSCRIPT}. The same call is then sent once more as {@code EVAL} with the text, the same
 * keys and the same arguments; that runs it and caches it on that node. Because the {@code EVAL} carries the call's
 * keys, a Redis Cluster client routes it to the master owning their slot. Nothing here sends {@code SCRIPT LOAD}: it
 * has no key, so a cluster client sends it to an arbitrary node, and the owner would answer {@code NOSCRIPT} again.</li>
 * <li>Only an error reply that <em>starts</em> with {@code NOSCRIPT} (Redis puts the error code first) is retried.
 * A script's own error that merely contains the word ({@code ERR user_script:3: ... NOSCRIPT ...}) means the script
 * ran, maybe after some of its writes (Redis does not roll a script back), and running it again would repeat them.</li>
 * <li>Every other failure is passed on as the client gave it: a Redis error reply stays an
 * {@link io.vertx.redis.client.impl.types.ErrorType} with Redis' message, so a service can tell a refusal
 * ({@code NOREPLICAS}, {@code READONLY}, ...) from a broken script or a lost connection.</li>
 * </ul>
 *
 * <p>Where a call goes: {@link #run(ReactiveRedisDataSource, List, List)} and {@link #send(Redis, List, List)} send
 * on the data source's client (its pool, or the cluster client); {@link #runOnConnection} and
 * {@link #send(RedisConnection, List, List)} send both commands, the {@code EVAL} fallback included, on one connection,
 * as a {@code WAIT} after the script needs (it counts the writes of its own connection only). A data source handed out
 * by {@link ReactiveRedisDataSource#withConnection} answers the pool for {@code getRedis()}, so it must go through
 * {@link #runOnConnection}.
 *
 * <p>Cost: on the client, the {@code EVALSHA} and its retry are composed on the Vert.x future and become a
 * {@link Uni} once. A Mutiny stage per step (a transform of the failure, a retry, a map) captures and restores the
 * propagated contexts around each callback, which on the gateway's and the allocator's hot paths cost more CPU than
 * the Redis call itself.
 *
 * <p>Immutable and thread-safe; no reflection (native images need nothing registered). Scripts read from the class
 * path ({@link #fromResources}) must be in the native image: {@code quarkus.native.resources.includes=lua/**}.
 */
public final class LuaScript {

    private final String text;
    private final String sha;

    private LuaScript(String text) {
        this.text = text;
        this.sha = sha1(text);
    }

    /**
     * The script with this text; its SHA-1 is computed now.
     *
     * @throws NullPointerException when {@code text} is null
     */
    public static LuaScript of(String text) {
        return new LuaScript(text);
    }

    /**
     * The script made of these class-path resources, in order, joined by a line break (a prelude such as
     * {@code lua/lib.lua}, then the script).
     *
     * @param anchor a class of the caller: its class loader reads the resources, so an application's own resources are
     *     found even where this library is loaded by a parent class loader (Quarkus' test and dev modes)
     * @param paths resource paths without a leading slash, such as {@code lua/open_session.lua}
     * @throws IllegalStateException when a resource is missing (at start-up, where the scripts are loaded)
     */
    public static LuaScript fromResources(Class<?> anchor, String... paths) {
        List<String> parts = new ArrayList<>(paths.length);
        for (String path : paths) {
            parts.add(resource(anchor, path));
        }
        return new LuaScript(String.join("\n", parts));
    }

    /**
     * The UTF-8 text of one class-path resource, read through {@code anchor}'s class loader, for a script a service
     * composes itself (placeholders filled in) before {@link #of}.
     *
     * @throws IllegalStateException when there is no such resource
     * @throws UncheckedIOException when it cannot be read
     */
    public static String resource(Class<?> anchor, String path) {
        try (InputStream in = anchor.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-1 (40 lower-case hex digits) Redis knows the script by ({@code SCRIPT EXISTS}, {@code EVALSHA}). */
    public String sha() {
        return sha;
    }

    /** The script's text, as sent with {@code EVAL}. */
    public String text() {
        return text;
    }

    /**
     * As {@link #run(ReactiveRedisDataSource, List, List)}, the arguments given one by one.
     */
    public Uni<Response> run(ReactiveRedisDataSource redis, List<String> keys, String... args) {
        return run(redis, keys, Arrays.asList(args));
    }

    /**
     * Runs the script on the data source's client (its connection pool, or the cluster client), sent when the
     * {@link Uni} is subscribed to, as the data source's own commands are.
     *
     * @param redis the application's data source; not one from {@code withConnection} (see {@link #runOnConnection})
     * @param keys the script's {@code KEYS}; on Redis Cluster they must share one slot, which the call is routed to
     * @param args the script's {@code ARGV}
     * @return the script's return value, null for a nil reply; fails with the client's failure (a Redis error reply as
     *     an {@link io.vertx.redis.client.impl.types.ErrorType}), never with the {@code NOSCRIPT} of the first try
     */
    public Uni<Response> run(ReactiveRedisDataSource redis, List<String> keys, List<String> args) {
        Redis client = redis.getRedis().getDelegate();
        return Uni.createFrom().emitter(emitter -> send(client, keys, args).onComplete(done -> {
            if (done.succeeded()) {
                emitter.complete(Response.newInstance(done.result()));
            } else {
                emitter.fail(done.cause());
            }
        }));
    }

    /**
     * Runs the script on the connection of a data source handed out by {@link ReactiveRedisDataSource#withConnection}:
     * the {@code EVALSHA} and, after {@code NOSCRIPT}, the {@code EVAL} both go over that one connection, so a
     * {@code WAIT} sent on it next covers the writes the script made. Mutiny stages here (the data source gives no
     * Vert.x future for its connection); the path that waits for replicas is not the hot one.
     *
     * @param connection the data source {@code withConnection} gave; a pool data source works too, as a slower
     *     {@link #run(ReactiveRedisDataSource, List, List)}
     * @return as {@link #run(ReactiveRedisDataSource, List, List)}
     */
    public Uni<Response> runOnConnection(ReactiveRedisDataSource connection, List<String> keys, List<String> args) {
        return connection.execute(Command.EVALSHA, arguments(sha, keys, args))
                .onFailure(LuaScript::isNoScript)
                .recoverWithUni(() -> connection.execute(Command.EVAL, arguments(text, keys, args)));
    }

    /**
     * Sends the script on a Vert.x Redis client (a pool or the cluster client), now: the core of
     * {@link #run(ReactiveRedisDataSource, List, List)}, for a caller that maps the answer or the failure on the
     * future before it makes a {@link Uni} of it.
     *
     * @return the script's answer (null for a nil reply), or the client's failure as described on {@link #run}
     */
    public Future<io.vertx.redis.client.Response> send(Redis client, List<String> keys, List<String> args) {
        return sendWith(client::send, keys, args);
    }

    /** As {@link #send(Redis, List, List)}, both commands on this one connection (see {@link #runOnConnection}). */
    public Future<io.vertx.redis.client.Response> send(RedisConnection connection, List<String> keys, List<String> args) {
        return sendWith(connection::send, keys, args);
    }

    private Future<io.vertx.redis.client.Response> sendWith(Function<Request, Future<io.vertx.redis.client.Response>> sender,
            List<String> keys, List<String> args) {
        return sender.apply(request(Command.EVALSHA, sha, keys, args))
                .recover(e -> isNoScript(e) ? sender.apply(request(Command.EVAL, text, keys, args)) : Future.failedFuture(e));
    }

    /**
     * Whether a failure is Redis' {@code NOSCRIPT} reply to {@code EVALSHA}: the only one this class retries (see the
     * class comment for why "starts with").
     */
    public static boolean isNoScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
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

    /** The same shape as {@link #request}, as the data source's {@code execute} takes it. */
    private static String[] arguments(String script, List<String> keys, List<String> args) {
        List<String> all = new ArrayList<>(2 + keys.size() + args.size());
        all.add(script);
        all.add(Integer.toString(keys.size()));
        all.addAll(keys);
        all.addAll(args);
        return all.toArray(String[]::new);
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must offer SHA-1 (MessageDigest's contract)
            throw new IllegalStateException(e);
        }
    }
}

package io.envgrid.redisscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.testsupport.redis.Resp;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.runtime.datasource.ReactiveRedisDataSourceImpl;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.impl.types.ErrorType;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.embedded.RedisServer;

/**
 * {@link LuaScript} against a real redis-server (embedded-redis' binary, on a free port), each test through every way a
 * service sends a script: the data source's pool ({@code run}, the gateway and the vm-controller), the Vert.x client
 * ({@code send}, the allocator), the connection of {@code withConnection} ({@code runOnConnection}, before a
 * {@code WAIT}) and a Vert.x connection. A script cache emptied by {@code SCRIPT FLUSH} is the state of a new or
 * restarted Redis and of a Redis Cluster master that never ran the script.
 */
class LuaScriptTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static RedisServer server;
    private static int port;
    private static Vertx vertx;
    private static Redis client;
    private static ReactiveRedisDataSource redis;

    /** The ways a service sends a script, each answering a Uni so that the tests read them alike. */
    enum Way {
        POOL {
            @Override
            Uni<Response> run(LuaScript script, List<String> keys, List<String> args) {
                return script.run(redis, keys, args);
            }
        },
        CLIENT_FUTURE {
            @Override
            Uni<Response> run(LuaScript script, List<String> keys, List<String> args) {
                return Uni.createFrom().completionStage(() -> script.send(client.getDelegate(), keys, args)
                        .map(Response::newInstance).toCompletionStage());
            }
        },
        DATA_SOURCE_CONNECTION {
            @Override
            Uni<Response> run(LuaScript script, List<String> keys, List<String> args) {
                AtomicReference<Response> answer = new AtomicReference<>();
                return redis.withConnection(connection -> script.runOnConnection(connection, keys, args)
                        .invoke(answer::set).replaceWithVoid()).map(done -> answer.get());
            }
        },
        VERTX_CONNECTION {
            @Override
            Uni<Response> run(LuaScript script, List<String> keys, List<String> args) {
                return Uni.createFrom().completionStage(() -> client.getDelegate().connect()
                        .compose(connection -> script.send(connection, keys, args)
                                .eventually(() -> connection.close()))
                        .map(Response::newInstance).toCompletionStage());
            }
        };

        abstract Uni<Response> run(LuaScript script, List<String> keys, List<String> args);

        /** The call's failure, or null when it answered. */
        Throwable failure(LuaScript script, List<String> keys, List<String> args) {
            return run(script, keys, args).onItem().transform(answer -> (Throwable) null)
                    .onFailure().recoverWithItem(failure -> failure).await().atMost(WAIT);
        }
    }

    @BeforeAll
    static void startRedis() {
        port = PackagedApp.freePort();
        server = RedisServer.builder().port(port).bind("127.0.0.1").setting("save \"\"").setting("appendonly no").build();
        server.start();
        vertx = Vertx.vertx();
        client = Redis.createClient(vertx, "redis://127.0.0.1:" + port);
        redis = new ReactiveRedisDataSourceImpl(vertx, client, RedisAPI.api(client));
    }

    @AfterAll
    static void stopRedis() {
        if (client != null) {
            client.close();
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void theShaComputedHereIsTheOneRedisComputes() {
        LuaScript script = LuaScript.of("return 'sha check " + UUID.randomUUID() + "'");
        assertEquals(Resp.call(port, "SCRIPT", "LOAD", script.text()), script.sha());
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aScriptRedisDoesNotKnowRunsOnceByItsTextAndThenGoesBySha(Way way) {
        String counter = "runs:" + UUID.randomUUID();
        LuaScript script = LuaScript.of("redis.call('INCR', KEYS[1]) return KEYS[1] .. '|' .. ARGV[1] .. '|' .. ARGV[2]");
        Resp.call(port, "SCRIPT", "FLUSH");
        long bySha = calls("evalsha");
        long byText = calls("eval");

        Response answer = way.run(script, List.of(counter), List.of("a", "b")).await().atMost(WAIT);

        assertEquals(counter + "|a|b", answer.toString());
        assertEquals("1", Resp.call(port, "GET", counter), "the script ran once");
        assertEquals(List.of(1L), Resp.call(port, "SCRIPT", "EXISTS", script.sha()),
                "the EVAL cached the script under the SHA computed here");
        assertEquals(bySha + 1, calls("evalsha"));
        assertEquals(byText + 1, calls("eval"));

        assertEquals(counter + "|a|c", way.run(script, List.of(counter), List.of("a", "c")).await().atMost(WAIT).toString());
        assertEquals("2", Resp.call(port, "GET", counter));
        assertEquals(bySha + 2, calls("evalsha"), "the second call goes by SHA");
        assertEquals(byText + 1, calls("eval"), "and sends no text");
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aScriptsOwnErrorMentioningNoscriptIsPassedOnAndTheScriptIsNotRunAgain(Way way) {
        String counter = "runs:" + UUID.randomUUID();
        LuaScript script = LuaScript.of("redis.call('INCR', KEYS[1]) return redis.error_reply('ERR gave up: NOSCRIPT seen')");
        Resp.call(port, "SCRIPT", "LOAD", script.text());

        Throwable failure = way.failure(script, List.of(counter), List.of());

        assertInstanceOf(ErrorType.class, failure, "Redis' error reply, as the client gave it");
        assertEquals("ERR gave up: NOSCRIPT seen", failure.getMessage());
        assertEquals("1", Resp.call(port, "GET", counter), "a script that failed after a write is not run a second time");
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aNilReplyIsNull(Way way) {
        assertNull(way.run(LuaScript.of("return redis.call('GET', KEYS[1])"), List.of("absent:" + UUID.randomUUID()),
                List.of()).await().atMost(WAIT));
    }

    /**
     * The data source's connection: the EVALSHA and, after NOSCRIPT, the EVAL are the connection's own commands (a
     * WAIT after them counts their writes). Redis names each client's last command in {@code CLIENT LIST}.
     */
    @Test
    void onADataSourceConnectionTheFallbackStaysOnThatConnection() {
        LuaScript script = LuaScript.of("return 'on one connection " + UUID.randomUUID() + "'");
        Resp.call(port, "SCRIPT", "FLUSH");

        assertEquals("eval", lastCommandOf(runOnANamedConnection(script)));
        assertEquals("evalsha", lastCommandOf(runOnANamedConnection(script)));
    }

    /** Runs the script on a connection of the pool, named first (a new name each time: the pool may hand out another). */
    private static String runOnANamedConnection(LuaScript script) {
        String name = "scripts-" + UUID.randomUUID();
        redis.withConnection(connection -> connection.execute("CLIENT", "SETNAME", name)
                .chain(() -> script.runOnConnection(connection, List.of(), List.of())).replaceWithVoid())
                .await().atMost(WAIT);
        return name;
    }

    @Test
    void onAVertxConnectionTheFallbackStaysOnThatConnection() throws Exception {
        String name = "scripts-" + UUID.randomUUID();
        LuaScript script = LuaScript.of("return 'on one vert.x connection " + UUID.randomUUID() + "'");
        Resp.call(port, "SCRIPT", "FLUSH");
        RedisConnection connection = client.getDelegate().connect().toCompletionStage().toCompletableFuture()
                .get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            connection.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.CLIENT).arg("SETNAME").arg(name))
                    .compose(named -> script.send(connection, List.of(), List.of()))
                    .toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertEquals("eval", lastCommandOf(name));
        } finally {
            connection.close();
        }
    }

    @Test
    void aScriptFromResourcesIsItsPreludeAndItsBodyJoined() {
        LuaScript script = LuaScript.fromResources(LuaScriptTest.class, "lua/prelude.lua", "lua/greet.lua");

        assertEquals(LuaScript.resource(LuaScriptTest.class, "lua/prelude.lua") + "\n"
                + LuaScript.resource(LuaScriptTest.class, "lua/greet.lua"), script.text());
        assertEquals("hello envgrid", script.run(redis, List.of(), "envgrid").await().atMost(WAIT).toString());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> LuaScript.fromResources(LuaScriptTest.class, "lua/prelude.lua", "lua/absent.lua"));
        assertTrue(missing.getMessage().contains("lua/absent.lua"), missing.getMessage());
    }

    private static long calls(String command) {
        Matcher calls = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)")
                .matcher((String) Resp.call(port, "INFO", "commandstats"));
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }

    /** The {@code cmd=} of the client named {@code name} in {@code CLIENT LIST}. */
    private static String lastCommandOf(String name) {
        for (String line : ((String) Resp.call(port, "CLIENT", "LIST")).split("\n")) {
            if (line.contains(" name=" + name + " ")) {
                Matcher cmd = Pattern.compile(" cmd=(\\S+)").matcher(line);
                assertTrue(cmd.find(), line);
                return cmd.group(1);
            }
        }
        throw new AssertionError("no client named " + name);
    }
}

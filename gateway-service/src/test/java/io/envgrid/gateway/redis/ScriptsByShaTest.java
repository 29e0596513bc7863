package io.envgrid.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.mcp.session.Audience;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.support.WithCluster;
import io.envgrid.redisscripts.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The gateway's Lua scripts go to Redis by SHA (redis-scripts' {@link LuaScript}, whose own test covers each way of
 * sending; here the gateway's data source as Quarkus builds it, and the gateway's own scripts). Was: every script call
 * sent the script's whole text as {@code EVAL}. On a Redis that does not know a script (here: its cache flushed) the
 * first call falls back to {@code EVAL} with the text and answers as usual; the calls after it are {@code EVALSHA}.
 */
@QuarkusTest
@WithCluster
class ScriptsByShaTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    RedisDataSource redis;

    @Inject
    ReactiveRedisDataSource reactive;

    @Inject
    McpSessions sessions;

    @Test
    void aScriptUnknownToRedisRunsAndIsThenKnownByTheShaComputedHere() {
        LuaScript script = LuaScript.of("return KEYS[1] .. ':' .. ARGV[1] .. ':' .. '" + UUID.randomUUID() + "'");
        redis.execute("SCRIPT", "FLUSH");

        String answer = script.run(reactive, List.of("{envgrid-gw}:k"), "a").await().atMost(WAIT).toString();

        assertTrue(answer.startsWith("{envgrid-gw}:k:a:"), answer);
        assertEquals(1, redis.execute("SCRIPT", "EXISTS", script.sha()).get(0).toInteger(),
                "the SHA computed here is the one Redis cached the script under");
        assertEquals(answer, script.run(reactive, List.of("{envgrid-gw}:k"), "a").await().atMost(WAIT).toString());
    }

    @Test
    void afterAFlushTheSessionScriptsAnswerAsBeforeAndGoBySha() {
        redis.execute("SCRIPT", "FLUSH");
        String worker = "lua-" + UUID.randomUUID();
        McpSession session = sessions.create(McpSession.STREAMABLE, "2025-11-25", "lua-test", null,
                Principal.Open.INSTANCE).await().atMost(WAIT);
        assertEquals(worker, sessions.bind(session.id(), worker).await().atMost(WAIT));
        assertTrue(sessions.setField(session.id(), "log_level", "info").await().atMost(WAIT));
        assertEquals(List.of(session.id()), sessions.wanting(worker, Audience.havingOneOf("log_level", List.of("info")))
                .await().atMost(WAIT).stream().map(McpSession::id).toList());

        int calls = 20;
        long shaBefore = calls("evalsha");
        long textBefore = calls("eval");
        for (int i = 0; i < calls; i++) {
            assertTrue(sessions.setField(session.id(), "log_level", "debug").await().atMost(WAIT));
        }
        long bySha = calls("evalsha") - shaBefore;
        long byText = calls("eval") - textBefore;
        // other scripts of the running gateway (its sweepers) may run meanwhile, but none sends a known script's text
        assertTrue(bySha >= calls, bySha + " EVALSHA for " + calls + " script calls");
        assertTrue(byText < calls, byText + " EVAL for " + calls + " calls of a script Redis already knew");
        sessions.end(session.id()).await().atMost(WAIT);
    }

    private long calls(String command) {
        Matcher calls = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)")
                .matcher(redis.execute("INFO", "commandstats").toString());
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }
}

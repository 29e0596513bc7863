package io.envgrid.gateway.mcp.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.mcp.session.Audience;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.support.WithCluster;
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
 * {@link SessionNotifier#toWorker} selects the worker's sessions that want a message in Redis ({@link Audience}). Was:
 * the worker's session set read ({@code SMEMBERS}), then every session's whole record ({@code HGETALL}) read into
 * the gateway and filtered there, after every renewal and desktop action, although usually no session wants the
 * message: 1 + n round trips for nothing. Now one script, and the same sessions get the message.
 */
@QuarkusTest
@WithCluster
class SessionNotifierTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String LEASES = "sub:envgrid://worker/leases";
    private static final Pattern HGETALL_CALLS = Pattern.compile("cmdstat_hgetall:calls=(\\d+)");

    @Inject
    SessionNotifier notifier;

    @Inject
    McpSessions sessions;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    private String boundSession(String worker) {
        McpSession session = sessions.create(McpSession.STREAMABLE, "2025-11-25", "notifier-test", null,
                Principal.Open.INSTANCE).await().atMost(WAIT);
        sessions.bind(session.id(), worker).await().atMost(WAIT);
        return session.id();
    }

    private List<String> received(String session) {
        return sessions.eventsAfter(session, "0-0").await().atMost(WAIT).stream()
                .map(event -> event.message().replaceAll(".*\"n\":(\\d+).*", "$1")).toList();
    }

    private static ObjectNode message(int n) {
        return JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0").put("method", "notifications/test")
                .set("params", JsonNodeFactory.instance.objectNode().put("n", n));
    }

    @Test
    void theSessionsThatWantAMessageGetItAndNoOthers() {
        String worker = "notifier-" + UUID.randomUUID();
        String subscribed = boundSession(worker);
        sessions.setField(subscribed, LEASES, "1").await().atMost(WAIT);
        String atWarning = boundSession(worker);
        sessions.setField(atWarning, "log_level", "warning").await().atMost(WAIT);
        String plain = boundSession(worker);
        String gone = boundSession(worker);
        // its record expired, the worker's set not yet swept: skipped, not brought back as a key without expiry
        redis.key().del(keys.mcpSession(gone));

        notifier.toWorker(worker, Audience.having(LEASES), message(1)).await().atMost(WAIT);
        notifier.toWorker(worker, Audience.having("sub:envgrid://desktop/other/screenshot"), message(2)).await().atMost(WAIT);
        notifier.toWorker(worker, Audience.havingOneOf("log_level", List.of("debug", "info")), message(3)).await().atMost(WAIT);
        notifier.toWorker(worker, Audience.havingOneOf("log_level", List.of("debug", "info", "notice", "warning", "error")),
                message(4)).await().atMost(WAIT);
        notifier.toWorker(worker, Audience.everySession(), message(5)).await().atMost(WAIT);

        assertEquals(List.of("1", "5"), received(subscribed));
        assertEquals(List.of("4", "5"), received(atWarning));
        assertEquals(List.of("5"), received(plain));
        assertEquals(List.of(), received(gone));
        assertFalse(redis.key().exists(keys.mcpSession(gone)), "the gone session's record stays gone");
    }

    @Test
    void aMessageNobodyWantsReadsNoSessionRecord() {
        String worker = "notifier-" + UUID.randomUUID();
        int count = 40;
        for (int i = 0; i < count; i++) {
            boundSession(worker);
        }
        long before = hgetallCalls();
        notifier.toWorker(worker, Audience.having(LEASES), message(1)).await().atMost(WAIT);
        long read = hgetallCalls() - before;
        // other tests' keep-alive may read a record meanwhile, but not one per session of this worker
        assertTrue(read < count, read + " records read in full for a message none of " + count + " sessions wants");
    }

    private long hgetallCalls() {
        Matcher calls = HGETALL_CALLS.matcher(redis.execute("INFO", "commandstats").toString());
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }
}

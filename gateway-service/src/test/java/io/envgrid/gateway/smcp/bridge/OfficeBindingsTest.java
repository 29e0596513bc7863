package io.envgrid.gateway.smcp.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.mcp.session.SessionLifecycle;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.security.WorkerPattern;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An office's set of bound MCP sessions loses a session when the session ends (not only when the office next
 * changes), and a binding lasts as long as the latest token that used it.
 */
@QuarkusTest
@WithCluster
class OfficeBindingsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    McpSessions sessions;

    @Inject
    OfficeBindings bindings;

    @Inject
    SessionLifecycle lifecycle;

    private static Principal token(Instant expiry) {
        return new Principal.Authenticated("binder", List.of(WorkerPattern.parse("office-*")), expiry);
    }

    private String session() {
        return sessions.create("streamable", "2025-11-25", "test", null, token(null)).await().atMost(WAIT).id();
    }

    @Test
    void anEndedSessionLeavesItsOfficesSetAtOnce() {
        String office = "office-" + UUID.randomUUID();
        String ending = session();
        String staying = session();
        bindings.bind(ending, office, token(null)).await().atMost(WAIT);
        bindings.bind(staying, office, token(null)).await().atMost(WAIT);
        assertEquals(2, bindings.sessionsIn(office).await().atMost(WAIT).size());

        lifecycle.end(ending, "test").await().atMost(WAIT);
        assertEquals(List.of(staying), bindings.sessionsIn(office).await().atMost(WAIT));
    }

    @Test
    void aBindingEndsWithTheLatestTokenThatUsedIt() {
        String office = "office-" + UUID.randomUUID();
        Instant now = Instant.now();
        String expired = session();
        bindings.bind(expired, office, token(now.minusSeconds(1))).await().atMost(WAIT);
        assertNull(bindings.officeOf(expired, token(now.plusSeconds(3600))).await().atMost(WAIT),
                "a binding whose token expired is over, whatever token asks next");
        assertNull(bindings.officeOf(expired).await().atMost(WAIT), "and it is gone from the session");
        assertEquals(List.of(), bindings.sessionsIn(office).await().atMost(WAIT));

        String renewed = session();
        bindings.bind(renewed, office, token(now.plusSeconds(60))).await().atMost(WAIT);
        assertEquals(office, bindings.officeOf(renewed, token(now.plusSeconds(3600))).await().atMost(WAIT));
        assertEquals(Long.toString(now.plusSeconds(3600).toEpochMilli()),
                sessions.peek(renewed).await().atMost(WAIT).get(BridgeKeys.UNTIL_FIELD), "a later token extends it");
        assertEquals(office, bindings.officeOf(renewed, token(now.plusSeconds(60))).await().atMost(WAIT));
        assertEquals(Long.toString(now.plusSeconds(3600).toEpochMilli()),
                sessions.peek(renewed).await().atMost(WAIT).get(BridgeKeys.UNTIL_FIELD), "an earlier one does not shorten it");
        assertEquals(office, bindings.officeOf(renewed, token(null)).await().atMost(WAIT));
        assertNull(sessions.peek(renewed).await().atMost(WAIT).get(BridgeKeys.UNTIL_FIELD),
                "a token that does not expire keeps it for the session's life");
    }
}

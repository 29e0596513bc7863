package io.envgrid.gateway.mcp.session;

import io.envgrid.gateway.mcp.transport.SseRelay;
import io.envgrid.gateway.security.RevokedTokens;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Ends the MCP sessions opened with a token once it is revoked ({@link RevokedTokens}), on every replica: each hears
 * the revocation (its message, or the reload that catches a missed one), ends at once the streams it holds of those
 * sessions (Streamable HTTP {@code GET /mcp} and legacy {@code GET /sse}) and ends the sessions themselves as a
 * {@code DELETE} would (the first replica wins, the others find them gone). With a session its worker stops being
 * live, so the lease keep-alive stops renewing what only that session kept. What a replica serves meanwhile is
 * checked by itself: every request asks Redis ({@link McpSessions#find}) and every standalone stream's keep-alive too.
 */
@ApplicationScoped
public class RevokedSessions {

    private static final Logger LOG = Logger.getLogger(RevokedSessions.class);
    /** Sessions ended concurrently per revocation and replica. */
    private static final int ENDING_AT_ONCE = 16;

    private final McpSessions sessions;
    private final SessionLifecycle lifecycle;
    private final SseRelay relay;
    private final RevokedTokens revoked;

    public RevokedSessions(McpSessions sessions, SessionLifecycle lifecycle, SseRelay relay, RevokedTokens revoked) {
        this.sessions = sessions;
        this.lifecycle = lifecycle;
        this.relay = relay;
        this.revoked = revoked;
    }

    void start(@Observes StartupEvent event) {
        revoked.onRevoked(this::endSessionsOf);
    }

    /** Ends every session of the token {@code jti}: its streams here at once, the session everywhere. */
    void endSessionsOf(String jti) {
        sessions.sessionsOfToken(jti).onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                // a job's token may have opened thousands of sessions: a few at a time, not all of Redis's pool at once
                .onItem().transformToUni(id -> {
                    relay.end(id);
                    return end(id);
                }).merge(ENDING_AT_ONCE)
                .collect().last()
                .subscribe().with(x -> { }, e -> LOG.warnf("ending the MCP sessions of revoked token %s failed: %s", jti,
                        e.getMessage()));
    }

    /**
     * The session's fields as a stream's keep-alive must see them: empty when the session has ended (on any replica)
     * or its token has been revoked, which ends it here and now. Asks Redis, so no stream relies on the revocation's
     * message having arrived.
     */
    public Uni<Map<String, String>> peekLive(String sessionId) {
        return sessions.peek(sessionId).chain(fields -> fields.get("jti") == null
                ? Uni.createFrom().item(fields)
                : revoked.stored(fields.get("jti")).chain(isRevoked -> isRevoked
                        ? end(sessionId).replaceWith(Map.<String, String>of())
                        : Uni.createFrom().item(fields)));
    }

    /** Ends one session of a revoked token (a session already ended is left alone). */
    public Uni<Void> end(String sessionId) {
        return lifecycle.end(sessionId, "its token was revoked");
    }
}

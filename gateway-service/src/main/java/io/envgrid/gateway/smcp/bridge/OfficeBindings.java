package io.envgrid.gateway.smcp.bridge;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/**
 * Which MCP session is bound to which office, seen alike by every replica: the session's own hash holds the office
 * ({@link BridgeKeys#SESSION_FIELD}, gone with the session), and each office has the set of its sessions, so a
 * change in the office reaches them. The set may name a session that has since ended or moved on: whoever notifies
 * checks the session's field and prunes it ({@link #prune}).
 */
@ApplicationScoped
public class OfficeBindings {

    private final McpSessions sessions;
    private final ReactiveSetCommands<String, String> sets;
    private final BridgeKeys keys;

    public OfficeBindings(McpSessions sessions, ReactiveRedisDataSource redis, BridgeKeys keys) {
        this.sessions = sessions;
        this.sets = redis.set(String.class);
        this.keys = keys;
    }

    /** The office the session is bound to, or null. */
    public Uni<String> officeOf(String sessionId) {
        return sessions.peek(sessionId).map(fields -> blankToNull(fields.get(BridgeKeys.SESSION_FIELD)));
    }

    /**
     * Binds the session to {@code officeId} (leaving the office it was bound to); 404 {@code SESSION_ENDED} when the
     * session ended meanwhile. Answers the office it was bound to before, or null.
     */
    public Uni<String> bind(String sessionId, String officeId) {
        return officeOf(sessionId).chain(previous -> sets.sadd(keys.sessions(officeId), sessionId)
                .chain(() -> sessions.setField(sessionId, BridgeKeys.SESSION_FIELD, officeId))
                .chain(set -> {
                    if (!set) {
                        return prune(officeId, sessionId).replaceWith(Uni.createFrom().<String>failure(
                                new ToolFailure(404, ErrorCode.SESSION_ENDED, "the MCP session ended", Map.of())));
                    }
                    return previous != null && !previous.equals(officeId)
                            ? prune(previous, sessionId).replaceWith(previous) : Uni.createFrom().item(previous);
                }));
    }

    /** Unbinds the session; answers the office it was bound to, or null when it was bound to none. */
    public Uni<String> unbind(String sessionId) {
        return officeOf(sessionId).call(office -> office == null ? Uni.createFrom().voidItem()
                : sessions.deleteField(sessionId, BridgeKeys.SESSION_FIELD).chain(() -> prune(office, sessionId)));
    }

    /** The sessions recorded as bound to the office (some may have ended or moved on). */
    public Uni<List<String>> sessionsIn(String officeId) {
        return sets.smembers(keys.sessions(officeId)).map(List::copyOf);
    }

    /** Forgets a session of the office's set. */
    public Uni<Void> prune(String officeId, String sessionId) {
        return sets.srem(keys.sessions(officeId), sessionId).replaceWithVoid();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

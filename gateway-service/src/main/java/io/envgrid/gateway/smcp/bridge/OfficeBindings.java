package io.envgrid.gateway.smcp.bridge;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.mcp.session.SessionEndListener;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.security.RevokedTokens;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Which MCP session is bound to which office, seen alike by every replica: the session's own hash holds the office
 * ({@link BridgeKeys#SESSION_FIELD}, gone with the session), and each office has the set of its sessions, so a
 * change in the office reaches them. A session that ends leaves its office's set then ({@link #sessionEnded}); one
 * whose hash expired without an end, or that moved on, is pruned by whoever notifies the office next (it checks the
 * session's field, {@link #prune}).
 *
 * <p>A binding lasts as long as the latest token that used it: the session's hash keeps that token's expiry
 * ({@link BridgeKeys#UNTIL_FIELD}, epoch ms; absent for a token that does not expire), set at the bind and moved on
 * by every later listing or call with a token that expires later. Past it the binding is over: the office's changes
 * no longer reach the session, and the session's next listing or call finds it unbound (and ends it); the client
 * binds again with a valid token. The same when that token is revoked: the hash keeps its {@code jti}
 * ({@link BridgeKeys#TOKEN_FIELD}) and a binding whose token is revoked is over just as an expired one.
 */
@ApplicationScoped
public class OfficeBindings implements SessionEndListener {

    private final McpSessions sessions;
    private final ReactiveSetCommands<String, String> sets;
    private final BridgeKeys keys;
    private final RevokedTokens revoked;

    public OfficeBindings(McpSessions sessions, ReactiveRedisDataSource redis, BridgeKeys keys, RevokedTokens revoked) {
        this.revoked = revoked;
        this.sessions = sessions;
        this.sets = redis.set(String.class);
        this.keys = keys;
    }

    /** The office the session is bound to, or null. */
    public Uni<String> officeOf(String sessionId) {
        return sessions.peek(sessionId).map(fields -> blankToNull(fields.get(BridgeKeys.SESSION_FIELD)));
    }

    /**
     * The office the session is bound to, or null, for a request of {@code principal} (whose token is valid now): a
     * binding whose token has expired or was revoked is ended (null), one whose token expires before this one's is
     * extended to it (and then belongs to this token).
     */
    public Uni<String> officeOf(String sessionId, Principal principal) {
        return sessions.peek(sessionId).chain(fields -> {
            String office = blankToNull(fields.get(BridgeKeys.SESSION_FIELD));
            if (office != null && !live(fields, Instant.now())) {
                return forget(sessionId).chain(() -> prune(office, sessionId)).replaceWith((String) null);
            }
            String until = fields.get(BridgeKeys.UNTIL_FIELD);
            Instant expiry = principal.expiry();
            if (office == null || until == null || (expiry != null && expiry.toEpochMilli() <= Long.parseLong(until))) {
                return Uni.createFrom().item(office);
            }
            return holdBy(sessionId, principal).replaceWith(office);
        });
    }

    /** False when the session's fields hold a binding whose token has expired at {@code now} or was revoked. */
    public boolean live(Map<String, String> fields, Instant now) {
        String until = fields.get(BridgeKeys.UNTIL_FIELD);
        return (until == null || now.toEpochMilli() < Long.parseLong(until))
                && !revoked.known(fields.get(BridgeKeys.TOKEN_FIELD));
    }

    /** The binding now lasts as long as {@code principal}'s token: its expiry and its {@code jti} are kept. */
    private Uni<Void> holdBy(String sessionId, Principal principal) {
        Instant expiry = principal.expiry();
        String jti = principal.tokenId();
        Uni<?> until = expiry == null ? sessions.deleteField(sessionId, BridgeKeys.UNTIL_FIELD)
                : sessions.setField(sessionId, BridgeKeys.UNTIL_FIELD, Long.toString(expiry.toEpochMilli()));
        return until.chain(() -> jti == null ? sessions.deleteField(sessionId, BridgeKeys.TOKEN_FIELD)
                : sessions.setField(sessionId, BridgeKeys.TOKEN_FIELD, jti)).replaceWithVoid();
    }

    /**
     * Binds the session to {@code officeId} (leaving the office it was bound to); 404 {@code SESSION_ENDED} when the
     * session ended meanwhile. Answers the office it was bound to before, or null. The binding lasts until
     * {@code principal}'s token expires (or a later token uses it).
     */
    public Uni<String> bind(String sessionId, String officeId, Principal principal) {
        return officeOf(sessionId).chain(previous -> sets.sadd(keys.sessions(officeId), sessionId)
                .chain(() -> holdBy(sessionId, principal))
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
                : forget(sessionId).chain(() -> prune(office, sessionId)));
    }

    /**
     * A session the office could not notify: it leaves the office's set, and when it is still bound to the office by
     * a token that has expired, its binding ends too.
     */
    public Uni<Void> unreachable(String officeId, String sessionId) {
        return prune(officeId, sessionId).chain(() -> sessions.peek(sessionId)).chain(fields ->
                officeId.equals(fields.get(BridgeKeys.SESSION_FIELD)) && !live(fields, Instant.now())
                        ? forget(sessionId) : Uni.createFrom().voidItem());
    }

    private Uni<Void> forget(String sessionId) {
        return sessions.deleteField(sessionId, BridgeKeys.SESSION_FIELD)
                .chain(() -> sessions.deleteField(sessionId, BridgeKeys.UNTIL_FIELD))
                .chain(() -> sessions.deleteField(sessionId, BridgeKeys.TOKEN_FIELD));
    }

    /** The sessions recorded as bound to the office (some may have ended or moved on). */
    public Uni<List<String>> sessionsIn(String officeId) {
        return sets.smembers(keys.sessions(officeId)).map(List::copyOf);
    }

    /** A session ended: it leaves the set of the office it was bound to. */
    @Override
    public Uni<Void> sessionEnded(String sessionId, Map<String, String> fields) {
        String office = blankToNull(fields.get(BridgeKeys.SESSION_FIELD));
        return office == null ? Uni.createFrom().voidItem() : prune(office, sessionId);
    }

    /** Forgets a session of the office's set. */
    public Uni<Void> prune(String officeId, String sessionId) {
        return sets.srem(keys.sessions(officeId), sessionId).replaceWithVoid();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

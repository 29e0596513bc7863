package io.envgrid.gateway.mcp.session;

import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.id.SessionId;
import io.envgrid.gateway.lease.LiveWorkers;
import io.envgrid.gateway.lease.RenewalRead;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.security.RevokedTokens;
import io.envgrid.redisscripts.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.quarkus.redis.datasource.sortedset.ReactiveSortedSetCommands;
import io.quarkus.redis.datasource.sortedset.ScoreRange;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * MCP sessions in Redis, so that a client's requests may land on any gateway replica (the
 * "session not found" of in-memory MCP servers behind a round-robin proxy cannot happen).
 * Keys: {@code session:<id>} (hash; {@code principal} is the name of the token that opened it), {@code sessions} (sorted set by last use, for the idle
 * sweep), {@code worker:<w>:sessions} (set; {@code <w>} key-encoded; names from {@link GatewayKeys}) and
 * {@code workers} (workers with a live session, as given).
 */
@ApplicationScoped
public class McpSessions implements LiveWorkers {

    private static final Logger LOG = Logger.getLogger(McpSessions.class);

    /** A session's last-use stamp is rewritten at most this often per replica: it only drives the idle sweep. */
    private static final long TOUCH_EVERY_MS = 1000;
    /**
     * Binds only a session that still exists: an ended one must not come back as a key without expiry. Each first
     * call bound to the worker is counted ({@code binding_calls}): a failed one undoes the binding only when no
     * other is still running. KEYS: session hash; ARGV: worker. Answers the worker bound after the call.
     */
    private static final LuaScript BIND_SCRIPT = LuaScript.of("if redis.call('EXISTS', KEYS[1]) == 1 then "
            + "redis.call('HSETNX', KEYS[1], 'worker', ARGV[1]) "
            + "if redis.call('HGET', KEYS[1], 'worker') == ARGV[1] then redis.call('HINCRBY', KEYS[1], 'binding_calls', 1) "
            + "redis.call('SADD', KEYS[2], ARGV[2]) redis.call('SADD', KEYS[3], ARGV[1]) end "
            + "end return redis.call('HGET', KEYS[1], 'worker')");
    /**
     * Ends a session in one step, if its worker is still the one read before ({@code ''}: none), else answers {-1}
     * and the caller reads again: a binding made meanwhile put the worker in the live set, and only this step may take
     * it out. Answers {0} when another caller ended the session, {1, sessions the worker has left (-1: no worker)}.
     * KEYS: the session index, session hash, its events, the worker's session set (any key when none), the live-worker
     * set, the token's session set (any key when none); ARGV: session id, worker read, jti read.
     */
    private static final LuaScript END_SCRIPT = LuaScript.of("local w = redis.call('HGET', KEYS[2], 'worker') or '' "
            + "if w ~= ARGV[2] then return {-1} end "
            + "if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return {0} end "
            + "redis.call('DEL', KEYS[2], KEYS[3]) "
            + "if ARGV[3] ~= '' then redis.call('SREM', KEYS[6], ARGV[1]) end "
            + "if w == '' then return {1, -1} end "
            + "redis.call('SREM', KEYS[4], ARGV[1]) local left = redis.call('SCARD', KEYS[4]) "
            + "if left == 0 then redis.call('SREM', KEYS[5], w) end return {1, left}");
    /** Times {@link #end} reads again after a binding changed under it before giving up (each is one binding change). */
    private static final int END_ATTEMPTS = 8;
    /**
     * Undoes a binding made by a first call that then failed: only while the session is still bound to that
     * worker, no other first call bound to it is running ({@code binding_calls}) and none succeeded
     * ({@code worker_kept}); the worker leaves the live set when it has no other session. Else the failed
     * call only leaves the count: a concurrent first call that runs on (an allocation) needs the binding, or
     * the lease change it causes reaches none of the worker's sessions, its own included.
     * KEYS: session hash, the worker's session set, the live-worker set; ARGV: worker, session id.
     */
    private static final LuaScript UNBIND_SCRIPT = LuaScript.of("if redis.call('HGET', KEYS[1], 'worker') ~= ARGV[1] then return 0 end "
            + "local running = redis.call('HINCRBY', KEYS[1], 'binding_calls', -1) "
            + "if running > 0 or redis.call('HEXISTS', KEYS[1], 'worker_kept') == 1 then return 0 end "
            + "redis.call('HDEL', KEYS[1], 'worker', 'binding_calls') redis.call('SREM', KEYS[2], ARGV[2]) "
            + "if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[1]) end return 1");
    /** KEYS: session hash; ARGV: worker. A first call bound to the worker succeeded: no failed one undoes the binding. */
    private static final LuaScript KEEP_BINDING_SCRIPT = LuaScript.of("if redis.call('HGET', KEYS[1], 'worker') == ARGV[1] then "
            + "redis.call('HSET', KEYS[1], 'worker_kept', '1') return 1 end return 0");

    /** KEYS: session hash; ARGV: field, value. Writes only into a session that still exists. */
    private static final LuaScript SET_FIELD_SCRIPT = LuaScript.of("if redis.call('EXISTS', KEYS[1]) == 1 then "
            + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end return 0");
    /**
     * KEYS: session hash; ARGV: field, value, the prefix of the capped fields, the cap. Answers -1 when
     * the session does not exist, 0 when it already has {@code cap} fields of the prefix (this one
     * not among them), 1 when the field is set. Counting and setting in one script: two concurrent
     * requests cannot both pass the cap.
     */
    private static final LuaScript SET_CAPPED_SCRIPT = LuaScript.of("if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end "
            + "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end "
            + "local n = 0 for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do "
            + "if string.sub(f, 1, #ARGV[3]) == ARGV[3] then n = n + 1 end end "
            + "if n >= tonumber(ARGV[4]) then return 0 end "
            + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1");
    /**
     * KEYS: session hash, its event stream; ARGV: the most entries kept, the message, the stream's
     * time to live (ms), the session id, the prefix of the replicas' relay channels (empty: record only).
     * Appends only for a session that exists; answers the entry id, or nil. With a prefix, the entry is
     * also published, in the same step, to the channel of the replica holding the session's stream
     * (field {@code owner}) as {@code <session id>\n<entry id>\n<message>}: a stream then gets its
     * messages in the order of their ids, whichever replica raised them.
     */
    private static final LuaScript APPEND_EVENT_SCRIPT = LuaScript.of("if redis.call('EXISTS', KEYS[1]) == 0 then return false end "
            + "local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'm', ARGV[2]) "
            + "redis.call('PEXPIRE', KEYS[2], ARGV[3]) "
            + "if ARGV[5] ~= '' then local owner = redis.call('HGET', KEYS[1], 'owner') "
            + "if owner and owner ~= '' then redis.call('PUBLISH', ARGV[5] .. owner, ARGV[4] .. '\\n' .. id .. '\\n' .. ARGV[2]) end end "
            + "return id");
    /**
     * KEYS: the sessions of a token; ARGV: session id, the token's remaining life (ms). Adds the session and keeps the
     * set for the longest life asked of it (every session of a token asks the same, but the clock moves on).
     */
    private static final LuaScript ADD_TOKEN_SESSION_SCRIPT = LuaScript.of("redis.call('SADD', KEYS[1], ARGV[1]) "
            + "if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 1");
    /**
     * Selects a worker's sessions that want a message ({@link Audience}) where their records are, so a message
     * nobody wants costs one round trip and no record is sent over. A session's key is built here from its id (the
     * keys share the gateway's hash tag with the set); an id whose record is gone (expired, not yet removed from
     * the set) is skipped. KEYS: the worker's session set; ARGV: the session key prefix, the field ('' = any live
     * session), then the field's accepted values (none = any). Answers, per wanted session, its id, transport,
     * protocol, worker and stream owner (nil when the record lacks it).
     */
    private static final String WANTING_LUA = "local field = ARGV[2] local accepted = {} "
            + "for i = 3, #ARGV do accepted[ARGV[i]] = true end "
            + "local wanted = {} "
            + "for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do local key = ARGV[1] .. id local take "
            + "if field == '' then take = redis.call('EXISTS', key) == 1 "
            + "else local v = redis.call('HGET', key, field) take = v and (#ARGV == 2 or accepted[v] == true) end "
            + "if take then local f = redis.call('HMGET', key, 'transport', 'protocol', 'worker', 'owner') "
            + "wanted[#wanted + 1] = id for i = 1, 4 do wanted[#wanted + 1] = f[i] end end end "
            + "return wanted";
    private static final LuaScript WANTING_SCRIPT = LuaScript.of(WANTING_LUA);
    /** Fields per session in {@link #WANTING_SCRIPT}'s answer. */
    private static final int WANTING_STRIDE = 5;
    /** Messages kept per session for a reconnecting client (older ones are trimmed). */
    static final int EVENTS_KEPT = 256;

    private final ReactiveRedisDataSource redis;
    private final RevokedTokens revoked;

    private final ReactiveHashCommands<String, String, String> hashes;
    private final ReactiveSortedSetCommands<String, String> sorted;
    private final ReactiveSetCommands<String, String> sets;
    private final ReactiveKeyCommands<String> keys;
    private final GatewayKeys names;
    private final Duration idleTimeout;
    private final ConcurrentMap<String, Long> lastTouch = new ConcurrentHashMap<>();

    public McpSessions(ReactiveRedisDataSource redis, GatewayKeys names, GatewayConfig config, RevokedTokens revoked) {
        this.redis = redis;
        this.revoked = revoked;
        this.hashes = redis.hash(String.class);
        this.sorted = redis.sortedSet(String.class);
        this.sets = redis.set(String.class);
        this.keys = redis.key();
        this.names = names;
        this.idleTimeout = config.mcp().sessionIdleTimeout();
    }

    private String sessionKey(String id) {
        return names.mcpSession(id);
    }

    private String index() {
        return names.mcpSessionIndex();
    }

    private String workerSessions(String workerId) {
        return names.workerMcpSessions(workerId);
    }

    private String workers() {
        return names.mcpWorkers();
    }


    /**
     * Opens a session for {@code principal} (the name its token proved), kept in the record so that
     * only that principal can use, stream from or end it ({@link #find}).
     */
    public Uni<McpSession> create(String transport, String protocolVersion, String clientName, String streamOwner,
            Principal principal) {
        String id = SessionId.fresh();
        Map<String, String> fields = new HashMap<>();
        fields.put("principal", principal.name());
        fields.put("transport", transport);
        fields.put("protocol", protocolVersion);
        fields.put("client", clientName == null ? "" : clientName);
        fields.put("owner", streamOwner == null ? "" : streamOwner);
        fields.put("created", Long.toString(System.currentTimeMillis()));
        String jti = principal.tokenId();
        if (jti != null) {
            // a revocation of this token ends the session (RevokedSessions); requests check it too (find)
            fields.put("jti", jti);
        }
        return hashes.hset(sessionKey(id), fields)
                .chain(() -> keys.pexpire(sessionKey(id), safetyTtl()))
                .call(() -> jti == null ? Uni.createFrom().voidItem() : ADD_TOKEN_SESSION_SCRIPT.run(redis,
                        List.of(names.tokenMcpSessions(jti)), id, Long.toString(tokenLife(principal))).replaceWithVoid())
                .chain(() -> sorted.zadd(index(), System.currentTimeMillis(), id))
                .invoke(() -> lastTouch.put(id, System.currentTimeMillis()))
                .replaceWith(new McpSession(id, transport, protocolVersion, null, streamOwner));
    }

    /**
     * The session, marked as used now, when it exists and was opened by {@code principal}; null when
     * it does not exist (never did, ended, or idled out) or belongs to another principal. Both are
     * answered alike (an unknown session), and a foreign principal's request does not even mark the
     * session used: a session id with another principal's token reveals and changes nothing. An id not of the
     * shape the gateway issues ({@link SessionId}) is unknown without a look-up. A session whose token has been
     * revoked is unknown too (it is being ended), even before this replica heard of the revocation.
     */
    public Uni<McpSession> find(String id, Principal principal) {
        if (!SessionId.wellFormed(id)) {
            // never issued, so unknown; and no key is built from it (it might name another key)
            return Uni.createFrom().nullItem();
        }
        // a revocable token is asked of Redis on every request, beside the session's record (no added round trip):
        // a replica whose view missed the revocation's message must not serve it until its next reload
        Uni<Boolean> tokenRevoked = principal.tokenId() == null ? Uni.createFrom().item(false)
                : revoked.stored(principal.tokenId());
        return Uni.combine().all().unis(hashes.hgetall(sessionKey(id)), tokenRevoked).asTuple().chain(found -> {
            Map<String, String> fields = found.getItem1();
            if (fields.isEmpty() || !principal.name().equals(fields.get("principal"))) {
                return Uni.createFrom().nullItem();
            }
            if (found.getItem2()) {
                // the view has just learnt it, and its listener ends the token's sessions: this one is over
                return Uni.createFrom().nullItem();
            }
            touch(id);
            return Uni.createFrom().item(session(id, fields));
        });
    }

    /**
     * The sessions opened with the signed token {@code jti} that may still exist (an ended one leaves the set with its
     * end, or with the set's expiry).
     */
    public Uni<List<String>> sessionsOfToken(String jti) {
        return sets.smembers(names.tokenMcpSessions(jti)).map(List::copyOf);
    }

    /** How long a token's session set is kept: the token's remaining life, else as long as a session's record. */
    private long tokenLife(Principal principal) {
        Instant expiry = principal.expiry();
        long life = expiry == null ? 0 : expiry.toEpochMilli() - System.currentTimeMillis();
        return Math.max(life, safetyTtl().toMillis());
    }

    /**
     * Marks the session used, at most once a second per replica, without holding up the request: the
     * stamp only drives the idle sweep (minutes), so the two writes go out together and nobody waits
     * for them; a failed one is retried by the next request's touch.
     */
    private void touch(String id) {
        long now = System.currentTimeMillis();
        Long last = lastTouch.get(id);
        if (last != null && now - last < TOUCH_EVERY_MS) {
            return;
        }
        lastTouch.put(id, now);
        Uni.combine().all().unis(sorted.zadd(index(), now, id), keys.pexpire(sessionKey(id), safetyTtl())).discardItems()
                .subscribe().with(v -> { }, e -> {
                    lastTouch.remove(id);
                    LOG.debugf("touching session %s failed: %s", id, e.getMessage());
                });
    }

    /**
     * Binds the session to a worker if it has none yet; answers the worker it is bound to after
     * the call (another worker's id when a concurrent call bound it first).
     */
    public Uni<String> bind(String id, String workerId) {
        // the binding and the live-worker sets in one step: an end() running meanwhile sees both or neither
        return BIND_SCRIPT.run(redis, List.of(sessionKey(id), workerSessions(workerId), workers()), workerId, id)
                .map(r -> r == null ? null : r.toString());
    }

    /**
     * Undoes {@link #bind} for a first call that failed: a refused call leaves the session as it found it, unless
     * another first call bound to the same worker is still running or succeeded (then the binding stays theirs).
     */
    public Uni<Void> unbind(String id, String workerId) {
        return UNBIND_SCRIPT.run(redis, List.of(sessionKey(id), workerSessions(workerId), workers()), workerId, id)
                .replaceWithVoid();
    }

    /** A first call bound by {@link #bind} succeeded: the binding is for good, whatever concurrent first calls do. */
    public Uni<Void> keepBinding(String id, String workerId) {
        return KEEP_BINDING_SCRIPT.run(redis, List.of(sessionKey(id)), workerId).replaceWithVoid();
    }

    /**
     * Ends a session. Exactly one caller wins (the removal from the index decides), and it gets the
     * session's worker and how many live sessions that worker has left; others get null.
     */
    public Uni<Ended> end(String id) {
        lastTouch.remove(id);
        return endAsRead(id, END_ATTEMPTS);
    }

    /**
     * Reads the session's worker and token, then ends it in one script if the worker is still that one: a session
     * ended in separate steps could lose a worker to a concurrent first call (bound after the read, its worker added
     * to the live set after the removal), and that worker stayed live, its leases renewed, for good.
     */
    private Uni<Ended> endAsRead(String id, int attemptsLeft) {
        return hashes.hmget(sessionKey(id), "worker", "jti").chain(held -> {
            String worker = held.get("worker") == null ? "" : held.get("worker");
            String jti = held.get("jti") == null ? "" : held.get("jti");
            return END_SCRIPT.run(redis, List.of(index(), sessionKey(id), names.mcpSessionEvents(id),
                    worker.isEmpty() ? sessionKey(id) : workerSessions(worker), workers(),
                    jti.isEmpty() ? sessionKey(id) : names.tokenMcpSessions(jti)), id, worker, jti)
                    .chain(answer -> {
                        long status = answer.get(0).toLong();
                        if (status == -1) {
                            if (attemptsLeft <= 1) {
                                return Uni.createFrom().failure(new IllegalStateException(
                                        "session " + id + " kept changing its worker while it was ended"));
                            }
                            return endAsRead(id, attemptsLeft - 1);
                        }
                        if (status == 0) {
                            return Uni.createFrom().nullItem();
                        }
                        long left = answer.get(1).toLong();
                        return Uni.createFrom().item(worker.isEmpty() || left < 0
                                ? new Ended(id, null, 0) : new Ended(id, worker, left));
                    });
        });
    }

    /**
     * The session's stored fields without marking it used (a notification sent to a session must
     * not keep it from idling out); empty when it does not exist.
     */
    public Uni<Map<String, String>> peek(String id) {
        return hashes.hgetall(sessionKey(id));
    }

    /** Sets one field of a live session (log level, a subscription); false when the session does not exist. */
    public Uni<Boolean> setField(String id, String field, String value) {
        return SET_FIELD_SCRIPT.run(redis, List.of(sessionKey(id)), field, value)
                .map(r -> r != null && r.toLong() == 1);
    }

    /** What {@link #setCappedField} did. */
    public enum CappedSet {
        SET, SESSION_GONE, CAP_REACHED
    }

    /**
     * Sets one field of a live session unless the session already holds {@code cap} fields starting
     * with {@code prefix} (setting a field it has is always allowed).
     */
    public Uni<CappedSet> setCappedField(String id, String field, String value, String prefix, int cap) {
        return SET_CAPPED_SCRIPT.run(redis, List.of(sessionKey(id)), field, value, prefix, Integer.toString(cap))
                .map(r -> switch (r == null ? -1 : r.toInteger()) {
                    case 1 -> CappedSet.SET;
                    case 0 -> CappedSet.CAP_REACHED;
                    default -> CappedSet.SESSION_GONE;
                });
    }

    public Uni<Void> deleteField(String id, String field) {
        return hashes.hdel(sessionKey(id), field).replaceWithVoid();
    }

    /**
     * Records a server-initiated message of a live session for replay; answers its event id (a Redis
     * stream entry id, {@code <ms>-<seq>}, increasing), or null when the session no longer exists.
     */
    public Uni<String> appendEvent(String id, String message) {
        return appendEvent(id, message, "");
    }

    /**
     * As {@link #appendEvent(String, String)}, and in the same Redis step publishes the message with its event id
     * to the relay channel ({@code relayChannelPrefix} + the replica) of the replica holding the session's stream,
     * if one does. Recording and relaying in two steps let two messages raised at once reach the stream in the
     * other order than their ids (a grant's lease update after its log message).
     */
    public Uni<String> appendEvent(String id, String message, String relayChannelPrefix) {
        return APPEND_EVENT_SCRIPT.run(redis, List.of(sessionKey(id), names.mcpSessionEvents(id)),
                Integer.toString(EVENTS_KEPT), message, Long.toString(safetyTtl().toMillis()), id, relayChannelPrefix)
                .map(r -> r == null ? null : r.toString());
    }

    /**
     * The recorded messages after event {@code lastEventId} (a stream entry id), oldest first, as
     * {@link Event}s; empty when none are left (trimmed, or the session's stream expired).
     */
    public Uni<List<Event>> eventsAfter(String id, String lastEventId) {
        return redis.execute("XRANGE", names.mcpSessionEvents(id), lastEventId, "+", "COUNT", Integer.toString(EVENTS_KEPT + 1))
                .map(reply -> {
                    List<Event> events = new ArrayList<>();
                    if (reply == null) {
                        return events;
                    }
                    for (Response entry : reply) {
                        String eventId = entry.get(0).toString();
                        Response fields = entry.get(1);
                        // XRANGE's start is inclusive: the client already has lastEventId itself
                        if (!eventId.equals(lastEventId) && fields != null && fields.size() >= 2) {
                            events.add(new Event(eventId, fields.get(1).toString()));
                        }
                    }
                    return events;
                });
    }

    /** A recorded message: its event id and the JSON-RPC message as sent. */
    public record Event(String id, String message) {
    }

    /**
     * The live sessions bound to a worker that are in {@code audience}, selected in one Redis step (the records are
     * not read into the gateway); empty when none is.
     */
    public Uni<List<McpSession>> wanting(String workerId, Audience audience) {
        return WANTING_SCRIPT.run(redis, List.of(workerSessions(workerId)), wantingArgs(audience)).map(McpSessions::wanted);
    }

    /**
     * {@link #wanting} as a read that a renewal's own script makes right after it wrote the worker's record: the same
     * Lua, keys and arguments, its answer read by {@link #wanted}. The worker's session set shares the gateway's hash
     * tag with the worker's record, so the renewal's script stays in one slot.
     */
    public RenewalRead wantingRead(Audience audience) {
        List<String> args = wantingArgs(audience);
        return new RenewalRead(WANTING_LUA, workerId -> List.of(workerSessions(workerId)), workerId -> args);
    }

    private List<String> wantingArgs(Audience audience) {
        List<String> args = new ArrayList<>(2 + audience.values().size());
        args.add(names.mcpSessionKeyPrefix());
        args.add(audience.field());
        args.addAll(audience.values());
        return args;
    }

    /** The sessions in an answer of {@link #wanting}'s Lua ({@link #wantingRead}). */
    public static List<McpSession> wanted(Response reply) {
        List<McpSession> wanted = new ArrayList<>();
        if (reply == null) {
            return wanted;
        }
        for (int i = 0; i + WANTING_STRIDE <= reply.size(); i += WANTING_STRIDE) {
            wanted.add(new McpSession(reply.get(i).toString(), text(reply.get(i + 1)), text(reply.get(i + 2)),
                    blankToNull(text(reply.get(i + 3))), blankToNull(text(reply.get(i + 4)))));
        }
        return wanted;
    }

    /**
     * A session as its stored fields ({@link #peek}) describe it: the worker and stream owner null when blank or
     * missing.
     */
    public static McpSession session(String id, Map<String, String> fields) {
        return new McpSession(id, fields.get("transport"), fields.get("protocol"), blankToNull(fields.get("worker")),
                blankToNull(fields.get("owner")));
    }

    private static String text(Response value) {
        return value == null ? null : value.toString();
    }

    /** The live sessions bound to a worker. */
    public Uni<List<String>> sessionsOf(String workerId) {
        return sets.smembers(workerSessions(workerId)).map(List::copyOf);
    }

    /** Sessions not used within the idle timeout. */
    public Uni<List<String>> idle() {
        long cutoff = System.currentTimeMillis() - idleTimeout.toMillis();
        // sessions ended on another replica leave their stamp here; idle ones are dropped with the sweep
        lastTouch.values().removeIf(stamp -> stamp < cutoff);
        return sorted.zrangebyscore(index(), new ScoreRange<>(Double.NEGATIVE_INFINITY, (double) cutoff));
    }

    /** Workers that have at least one live MCP session: their leases are kept alive. */
    @Override
    public Uni<List<String>> liveWorkers() {
        return sets.smembers(workers()).map(List::copyOf);
    }

    /** The hash outlives the idle timeout so the sweep still finds its worker; it is deleted by {@link #end}. */
    private Duration safetyTtl() {
        return idleTimeout.multipliedBy(3);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** A session that has just ended, its worker (null if never bound) and that worker's remaining sessions. */
    public record Ended(String sessionId, String workerId, long workerSessionsLeft) {
    }
}

package io.envgrid.gateway.sandbox.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.id.KeyPart;
import io.envgrid.gateway.lease.EndedLease;
import io.envgrid.gateway.lease.LeaseEndListener;
import io.envgrid.gateway.lease.LiveWorkers;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.redisscripts.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.sortedset.ReactiveSortedSetCommands;
import io.quarkus.redis.datasource.sortedset.ScoreRange;
import io.quarkus.redis.datasource.sortedset.ZAddArgs;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Explicit Sandbox sessions, one per (worker, resource type), in Redis so any replica serves any
 * worker: a hash per worker ({@code sandbox:sessions:<worker>}, resource type → the session as JSON)
 * and one sorted set of last use ({@code type:worker} → epoch ms; ids key-encoded by {@link KeyPart}) that the idle sweep and the lease keep-alive read. A session is
 * {@code creating} while its backend initializes (claimed with HSETNX, so two replicas cannot both
 * create it) and {@code ready} after.
 */
@ApplicationScoped
public class SandboxSessions implements LiveWorkers, LeaseEndListener {

    static final String CREATING = "creating";
    static final String READY = "ready";

    private final ReactiveRedisDataSource redis;
    private final ReactiveHashCommands<String, String, String> hashes;
    private final ReactiveSortedSetCommands<String, String> used;
    private final ObjectMapper json;
    private final GatewayKeys keys;

    public SandboxSessions(ReactiveRedisDataSource redis, ObjectMapper json, GatewayKeys keys) {
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.used = redis.sortedSet(String.class);
        this.json = json;
        this.keys = keys;
    }

    private String sessionsOf(String workerId) {
        return keys.sandboxSessions(workerId);
    }

    private String usedKey() {
        return keys.sandboxUsed();
    }

    /** {@code type:worker}, each part key-encoded: a worker id's own {@code :} never splits it. */
    static String member(String workerId, String resourceType) {
        return KeyPart.of(resourceType) + ":" + KeyPart.of(workerId);
    }

    /** The (resource type, worker id) of a {@link #member}. */
    static String[] parseMember(String member) {
        int colon = member.indexOf(':');
        return new String[] {KeyPart.decode(member.substring(0, colon)), KeyPart.decode(member.substring(colon + 1))};
    }

    /** A new session record in state {@code creating}. */
    static ObjectNode creating(String workerId, String resourceType) {
        return JsonNodeFactory.instance.objectNode()
                .put("session_id", resourceType + "_" + UUID.randomUUID())
                .put("worker_id", workerId)
                .put("resource_type", resourceType)
                .put("state", CREATING)
                .put("created_at", Instant.now().toString());
    }

    public Uni<Optional<ObjectNode>> find(String workerId, String resourceType) {
        return hashes.hget(sessionsOf(workerId), resourceType).map(raw -> Optional.ofNullable(raw).map(this::parse));
    }

    public Uni<List<ObjectNode>> list(String workerId) {
        return hashes.hgetall(sessionsOf(workerId))
                .map(all -> all.values().stream().map(this::parse).toList());
    }

    /**
     * Claims (worker, type) for a new session: its {@code creating} record and its last use, in one script (a claim
     * without a last use would never be swept: a replica dying between the two left the worker unable to create that
     * session type again); false when one exists or is being created.
     */
    public Uni<Boolean> claim(ObjectNode session) {
        String worker = session.path("worker_id").asText();
        String type = session.path("resource_type").asText();
        return CLAIM.run(redis, List.of(sessionsOf(worker), usedKey()), type, session.toString(), member(worker, type),
                Long.toString(System.currentTimeMillis())).map(claimed -> claimed.toInteger() == 1);
    }

    /** What {@link #store} did. */
    public enum Stored {
        /** The record and its last use were written. */
        STORED,
        /** Nothing written: the worker's record no longer holds the session's lease. */
        LEASE_ENDED,
        /**
         * Nothing written: the hash no longer holds this create's claim (same {@code session_id}); the idle sweep ended
         * it while the backend initialized, and another create may have claimed the type since.
         */
        CLAIM_LOST
    }

    /**
     * HSETNX of the record and, when it was set, ZADD of its last use (KEYS: sessions hash, last-use sorted set; ARGV:
     * type, record, member, now ms). Answers 1 when claimed, 0 when the field existed (nothing written).
     */
    private static final LuaScript CLAIM = LuaScript.of("""
            if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
            redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
            return 1
            """);

    /**
     * Stores a created session's record over its own claim ({@link #claim}: a record of the same {@code session_id}) and
     * marks it used, in one script, only while that claim is still there and its worker's record
     * ({@link GatewayKeys#workerResources}) still holds the session's lease: an entry of its resource with its fencing
     * token or a later one (an entry without a token, or a session resource without one, counts as holding it, as in
     * {@link EndedLease#covers}). Every lease end forgets that entry before it tells {@link #leaseEnded}, so a store
     * either lands before the forget (and the telling then finds and removes the record) or is refused: a session
     * never outlives its lease. A session holding nothing (a JSON null resource) is stored without the lease check.
     * Was: written whatever the hash held, so a create whose claim the idle sweep had ended overwrote the claim or
     * the session of a later create of the same type, whose resource then stayed leased with no session.
     *
     * @return what was done; nothing is written unless {@link Stored#STORED}
     */
    public Uni<Stored> store(ObjectNode session) {
        String worker = session.path("worker_id").asText();
        String type = session.path("resource_type").asText();
        JsonNode resource = session.path("resource");
        JsonNode token = resource.path("fencing_token");
        return STORE_IF_LEASED.run(redis, List.of(sessionsOf(worker), usedKey(), keys.workerResources(worker)), type,
                        session.toString(), member(worker, type), Long.toString(System.currentTimeMillis()),
                        resource.path("id").asText(""), token.canConvertToLong() ? token.asText() : "",
                        session.path("session_id").asText())
                .map(stored -> Stored.values()[stored.toInteger()]);
    }

    /**
     * HSET of the record and ZADD of its last use if the hash still holds the claim and the worker's record holds the
     * lease (KEYS: sessions hash, last-use sorted set, the worker's record; ARGV: type, record, member, now ms, resource
     * id ({@code ''}: no lease to check), fencing token ({@code ''}: unknown), session id). Answers the ordinal of
     * {@link Stored}: 0 written, 1 lease no longer recorded, 2 claim gone.
     */
    private static final LuaScript STORE_IF_LEASED = LuaScript.of("""
            local claim = redis.call('HGET', KEYS[1], ARGV[1])
            if not claim or cjson.decode(claim).session_id ~= ARGV[7] then return 2 end
            if ARGV[5] ~= '' then
              local held = false
              for _, text in ipairs(redis.call('HVALS', KEYS[3])) do
                local entry = cjson.decode(text)
                if entry.id == ARGV[5] and (ARGV[6] == '' or type(entry.fencing_token) ~= 'number'
                    or entry.fencing_token >= tonumber(ARGV[6])) then
                  held = true
                  break
                end
              end
              if not held then return 1 end
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
            return 0
            """);

    /** Marks a session used now; only a session still listed (not one ended meanwhile). */
    public Uni<Void> touch(String workerId, String resourceType) {
        return used.zadd(usedKey(), new ZAddArgs().xx(), System.currentTimeMillis(), member(workerId, resourceType))
                .replaceWithVoid();
    }

    /**
     * Removes the record and its last use in one script (no last use left without a record, and no store between the
     * two losing its own); true for the one caller that removed the record (two replicas may race to end a session).
     * The last use goes even when the record was gone already.
     */
    public Uni<Boolean> remove(String workerId, String resourceType) {
        return removed(workerId, resourceType, ANY_RECORD);
    }

    /**
     * Removes the record of one session ({@code sessionId}: a create's claim, or the session an ending read) and its
     * last use, only if the hash still holds that session: a create given up after the idle sweep ended its claim, or a
     * destroy or sweep that read a session ended meanwhile, must not remove the record of a later create of the type.
     * True for the one caller that removed it (two replicas may race to end a session).
     */
    public Uni<Boolean> removeSession(String workerId, String resourceType, String sessionId) {
        return removed(workerId, resourceType, sessionId);
    }

    /**
     * Removes a last use that has no record (a stray the idle sweep found), never a record: a create may have claimed
     * the type since the sweep read nothing there, and its claim's last use is then its own. True when the last use went.
     */
    public Uni<Boolean> removeStrayLastUse(String workerId, String resourceType) {
        return REMOVE_STRAY.run(redis, List.of(sessionsOf(workerId), usedKey()), resourceType, member(workerId, resourceType))
                .map(removed -> removed.toInteger() == 1);
    }

    /** ZREM of a last use only while its record is absent (KEYS: hash, sorted set; ARGV: type, member); 1 when removed. */
    private static final LuaScript REMOVE_STRAY = LuaScript.of("""
            if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
            return redis.call('ZREM', KEYS[2], ARGV[2])
            """);

    /** Members ({@code type:worker}) unused since {@code cutoffMs}. */
    public Uni<List<String>> idleSince(long cutoffMs) {
        return used.zrangebyscore(usedKey(), new ScoreRange<>(Double.NEGATIVE_INFINITY, (double) cutoffMs));
    }

    /** Workers with at least one session: their leases are kept alive. */
    @Override
    public Uni<List<String>> liveWorkers() {
        return used.zrange(usedKey(), 0, -1).map(members -> List.copyOf(new LinkedHashSet<>(
                members.stream().map(m -> parseMember(m)[1]).toList())));
    }

    /**
     * A session whose lease ended (released, expired, revoked) is over: its record goes, so the next call opens a new
     * one. Only a session holding that lease or an older grant of its resource ({@link EndedLease#covers}): a later
     * grant's session (the worker was granted the resource again before this was told) stays. A record replaced
     * between this read and its removal (a new session of the type) stays too: compared and removed in one script.
     */
    @Override
    public Uni<Void> leaseEnded(String workerId, EndedLease lease) {
        return hashes.hgetall(sessionsOf(workerId)).chain(all -> {
            List<Uni<Boolean>> removals = all.entrySet().stream()
                    .filter(e -> lease.covers(parse(e.getValue()).get("resource")))
                    .map(e -> removed(workerId, e.getKey(), parse(e.getValue()).path("session_id").asText()))
                    .toList();
            return removals.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(removals).andCollectFailures().replaceWithVoid();
        });
    }

    /** {@link #removed}'s expected session id meaning any record: every record has a non-empty one. */
    private static final String ANY_RECORD = "";

    /** Removes the record, and its last use, if it is session {@code expected} ({@link #ANY_RECORD}: whatever it holds). */
    private Uni<Boolean> removed(String workerId, String resourceType, String expected) {
        return REMOVE.run(redis, List.of(sessionsOf(workerId), usedKey()), resourceType, expected,
                member(workerId, resourceType)).map(removed -> removed.toInteger() == 1);
    }

    /**
     * Removes a session's record and its last use, if the record is of the session id given ({@code ''}: any), in one
     * step (KEYS: hash, sorted set; ARGV: type, session id, member). Answers 1 when it removed the record, else 0
     * (nothing removed when the record is another session's or gone; the last use alone when there was no record and
     * any was asked). A session's record keeps its id from claim to end, and every create makes a new one.
     */
    private static final LuaScript REMOVE = LuaScript.of("""
            if ARGV[2] ~= '' then
              local current = redis.call('HGET', KEYS[1], ARGV[1])
              if not current or cjson.decode(current).session_id ~= ARGV[2] then return 0 end
            end
            local removed = redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[3])
            return removed
            """);

    private ObjectNode parse(String raw) {
        try {
            JsonNode node = json.readTree(raw);
            return (ObjectNode) node;
        } catch (IOException e) {
            throw new IllegalStateException("unreadable sandbox session record", e);
        }
    }
}

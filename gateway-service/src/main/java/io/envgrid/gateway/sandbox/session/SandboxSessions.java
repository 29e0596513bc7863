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
import io.vertx.mutiny.redis.client.Response;
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

    /** Claims (worker, type) for a new session; false when one exists or is being created. */
    public Uni<Boolean> claim(ObjectNode session) {
        String worker = session.path("worker_id").asText();
        String type = session.path("resource_type").asText();
        return hashes.hsetnx(sessionsOf(worker), type, session.toString())
                .call(claimed -> claimed ? touch(worker, type, false) : Uni.createFrom().voidItem());
    }

    public Uni<Void> store(ObjectNode session) {
        String worker = session.path("worker_id").asText();
        String type = session.path("resource_type").asText();
        return hashes.hset(sessionsOf(worker), type, session.toString()).chain(() -> touch(worker, type, false));
    }

    /** Marks a session used now; only a session still listed (not one ended meanwhile). */
    public Uni<Void> touch(String workerId, String resourceType) {
        return touch(workerId, resourceType, true);
    }

    private Uni<Void> touch(String workerId, String resourceType, boolean onlyExisting) {
        ZAddArgs args = onlyExisting ? new ZAddArgs().xx() : new ZAddArgs();
        return used.zadd(usedKey(), args, System.currentTimeMillis(), member(workerId, resourceType)).replaceWithVoid();
    }

    /** Removes the record; true for the one caller that removed it (two replicas may race to end a session). */
    public Uni<Boolean> remove(String workerId, String resourceType) {
        return hashes.hdel(sessionsOf(workerId), resourceType)
                .call(() -> used.zrem(usedKey(), member(workerId, resourceType)))
                .map(removed -> removed == 1);
    }

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
            List<Uni<Response>> removals = all.entrySet().stream()
                    .filter(e -> lease.covers(parse(e.getValue()).get("resource")))
                    .map(e -> REMOVE_IF_UNCHANGED.run(redis, List.of(sessionsOf(workerId), usedKey()), e.getKey(),
                            e.getValue(), member(workerId, e.getKey())))
                    .toList();
            return removals.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(removals).andCollectFailures().replaceWithVoid();
        });
    }

    /** Removes a session's record and its last use if the record still holds the text read (KEYS: hash, sorted set). */
    private static final LuaScript REMOVE_IF_UNCHANGED = LuaScript.of(
            "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) "
                    + "redis.call('ZREM', KEYS[2], ARGV[3]) return 1 end return 0");

    private ObjectNode parse(String raw) {
        try {
            JsonNode node = json.readTree(raw);
            return (ObjectNode) node;
        } catch (IOException e) {
            throw new IllegalStateException("unreadable sandbox session record", e);
        }
    }
}

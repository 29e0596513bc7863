package io.envgrid.gateway.lease;

import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.redisscripts.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.sortedset.ReactiveSortedSetCommands;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The allocations of a worker whose outcome is not known yet: the allocator may have granted them, but the
 * worker was not told (a 5xx, a deadline, a cut connection) and the gateway is still settling them by request
 * id. While a worker has one, {@link LeaseKeepAlive} renews only the leases the worker was told of, so a grant
 * nobody heard of is never kept alive, even if settling never gets an answer: it then ends at its own expiry.
 *
 * <p>Kept in Redis, so any replica's keep-alive reads it and any replica's settle sweeper finishes what another began:
 * <ul>
 * <li>per worker ({@link GatewayKeys#unsettledRequests}) a sorted set of request ids scored by when the mark lapses (ms);
 * a mark outlives the longest any lease of that request can live unrenewed;</li>
 * <li>one index of every worker's unsettled requests ({@link GatewayKeys#unsettledDue}): member
 * {@link GatewayKeys#unsettledMember} → when it is next due (ms), or while claimed when the claim lapses;</li>
 * <li>the claims ({@link GatewayKeys#unsettledClaims}): member → the replica settling it now.</li>
 * </ul>
 * The scripts below keep them together: a request is in the index exactly while it is marked and still to be settled,
 * and at most one replica holds its claim (its owner in the hash, its lapse the index's score). A claim lapsed (the
 * score past) with its owner still written was never handed back: its replica stopped or hung, and the next claim
 * takes it over. Every time written or compared is Redis's clock ({@code TIME}, read inside each script; epoch ms), never
 * a replica's, so clock skew between replicas shifts no claim and no lapse. All keys share the gateway's prefix, one
 * hash tag: every script's keys are in one slot on Redis Cluster.
 *
 * <p>A mark Redis refused is kept in this replica's memory until it is written ({@link #keepUnwritten},
 * {@link #writeUnwritten}), at most {@code envgrid.gateway.leases.unwritten-marks}; {@link #any} counts it.
 */
@ApplicationScoped
public class UnsettledRequests {

    /**
     * Lua: {@code now}, Redis's clock in epoch ms (a whole number: 13 digits, exact in Lua's doubles and written back
     * exactly). Scripts replicate their effects (Redis 5 and later), so reading the clock before writing is allowed.
     */
    private static final String NOW = "local t = redis.call('TIME') "
            + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";

    /**
     * KEYS: the worker's marks, the index, the claims. ARGV: request id, member, the mark's length (ms), owner, the
     * claim's length (ms). Marks the request and claims it for the owner. The worker's marks that lapsed go first, so
     * the set holds only live marks. The marks' key lives as long as its longest mark (NX sets the first expiry, GT
     * only ever lengthens it), and so does a mark written again (GT).
     *
     * <p>With an empty owner (a mark written late, {@link #writeUnwritten}) the request is not claimed: ARGV[5] is how
     * long from now until it is due, and an index entry already there is left as it is (NX): the first write may have
     * been applied though its answer was lost, and its claim or due time stands.
     */
    private static final LuaScript MARK = LuaScript.of(NOW + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) "
            + "redis.call('ZADD', KEYS[1], 'GT', now + tonumber(ARGV[3]), ARGV[1]) "
            + "redis.call('PEXPIRE', KEYS[1], ARGV[3], 'NX') redis.call('PEXPIRE', KEYS[1], ARGV[3], 'GT') "
            + "if ARGV[4] == '' then redis.call('ZADD', KEYS[2], 'NX', now + tonumber(ARGV[5]), ARGV[2]) return 1 end "
            + "redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[2]) "
            + "redis.call('HSET', KEYS[3], ARGV[2], ARGV[4]) return 1");

    /**
     * KEYS: the index, the claims, the worker's marks. ARGV: member, request id, owner, the claim's length (ms).
     * Returns {@code {'claimed', previous owner or ''}}, {@code {'lapsed'}} (the mark is gone or past its lapse: the
     * request leaves the index, its claim too) or {@code {'busy'}} (not due: claimed, or settled meanwhile).
     */
    private static final LuaScript CLAIM = LuaScript.of(NOW + "local due = redis.call('ZSCORE', KEYS[1], ARGV[1]) "
            + "if not due or tonumber(due) > now then return {'busy'} end "
            + "local lapse = redis.call('ZSCORE', KEYS[3], ARGV[2]) "
            + "if not lapse or tonumber(lapse) <= now then "
            + "redis.call('ZREM', KEYS[1], ARGV[1]) redis.call('HDEL', KEYS[2], ARGV[1]) return {'lapsed'} end "
            + "local previous = redis.call('HGET', KEYS[2], ARGV[1]) "
            + "redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) "
            + "redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[4]), ARGV[1]) "
            + "return {'claimed', previous or ''}");

    /**
     * KEYS: the index, the claims. ARGV: member, owner, the new score as ms from now, {@code release} or {@code keep}.
     * Only while the owner holds the claim: sets the member's score (a longer claim, or the next attempt's time) and,
     * when ARGV[4] is {@code release}, deletes the claim (compare and delete). Returns 1 if the owner held it, else 0.
     */
    private static final LuaScript HOLDER = LuaScript.of("if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end "
            + NOW + "redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[3]), ARGV[1]) "
            + "if ARGV[4] == 'release' then redis.call('HDEL', KEYS[2], ARGV[1]) end return 1");

    /**
     * KEYS: the index, the claims, the worker's marks. ARGV: member, request id, {@code clear} or {@code keep}. The
     * request leaves the index and its claim goes; its mark too with {@code clear} (settled), or it stays until it
     * lapses with {@code keep} (given up: the keep-alive must still not renew what it may have granted).
     */
    private static final LuaScript DONE = LuaScript.of("redis.call('ZREM', KEYS[1], ARGV[1]) redis.call('HDEL', KEYS[2], ARGV[1]) "
            + "if ARGV[3] == 'clear' then redis.call('ZREM', KEYS[3], ARGV[2]) end return 1");

    /** KEYS: the index. ARGV: how many at most. The members due now (score up to Redis's clock), earliest first. */
    private static final LuaScript DUE = LuaScript.of(NOW + "return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, ARGV[1])");

    /** KEYS: the worker's marks. How many have not lapsed by Redis's clock. */
    private static final LuaScript LIVE = LuaScript.of(NOW + "return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')");

    private final ReactiveRedisDataSource redis;
    private final ReactiveSortedSetCommands<String, String> sorted;
    private final GatewayKeys names;
    private final int unwrittenBound;
    /** The marks this replica could not write, by member: at most {@link #unwrittenBound}. */
    private final ConcurrentMap<String, Unwritten> unwritten = new ConcurrentHashMap<>();

    public UnsettledRequests(ReactiveRedisDataSource redis, GatewayKeys names, GatewayConfig config) {
        this.redis = redis;
        this.sorted = redis.sortedSet(String.class);
        this.names = names;
        this.unwrittenBound = Math.max(0, config.leases().unwrittenMarks());
    }

    /**
     * A mark this replica could not write (Redis refused it or did not answer), kept in its memory: {@code lapse} is the
     * mark's length, counted from when it is written; {@code givenUpAt} (epoch ms) is when the mark written at first would
     * have lapsed, after which it is no longer written. {@code dueAt} (epoch ms) is when the sweepers may ask first once
     * it is written, or {@link Long#MAX_VALUE} while this replica still asks before answering the failure (it is written
     * only after that, so that no sweeper asks at the same time).
     */
    public record Unwritten(String workerId, String requestId, Duration lapse, long givenUpAt, long dueAt) {

        /** Whether it may be written now: this replica no longer asks on its own. */
        public boolean ready() {
            return dueAt != Long.MAX_VALUE;
        }
    }

    /** What {@link #claim} found. */
    public sealed interface Claim permits Claimed, Lapsed, Busy {
    }

    /**
     * The caller now holds the claim on the request of {@code workerId}; {@code takenOver} when another replica's
     * claim had lapsed unreleased (that replica stopped or hung while settling).
     */
    public record Claimed(String workerId, String requestId, boolean takenOver) implements Claim {
    }

    /** The request's mark lapsed (or went with its key) before it was settled: it left the index. */
    public record Lapsed(String workerId, String requestId) implements Claim {
    }

    /** Not due any more: another replica claimed it, or it was settled, since it was read. */
    public record Busy() implements Claim {
    }

    /**
     * Marks {@code requestId} of the worker unsettled for {@code lapse}, and claims it for {@code owner} (a replica id)
     * for {@code claim}: the marking replica settles it first; another replica's sweeper takes it once the claim lapses
     * or is handed over ({@link #handOver}).
     */
    public Uni<Void> mark(String workerId, String requestId, Duration lapse, String owner, Duration claim) {
        return eval(MARK, List.of(names.unsettledRequests(workerId), names.unsettledDue(), names.unsettledClaims()),
                requestId, GatewayKeys.unsettledMember(workerId, requestId), lapse.toMillis(), owner, claim.toMillis())
                .replaceWithVoid();
    }

    /**
     * The members (as {@link GatewayKeys#unsettledMember}) due now, at most {@code limit}, earliest first: requests
     * waiting for their next attempt, and claims that lapsed.
     */
    public Uni<List<String>> due(int limit) {
        return eval(DUE, List.of(names.unsettledDue()), limit).map(members -> {
            List<String> due = new ArrayList<>(members.size());
            members.forEach(member -> due.add(member.toString()));
            return due;
        });
    }

    /** Claims the due request {@code member} for {@code owner} for {@code claim}; see {@link Claim}. */
    public Uni<Claim> claim(String member, String owner, Duration claim) {
        String[] ids = GatewayKeys.unsettledRequestOf(member);
        if (ids == null) {
            // not one of ours: drop it from the index, it can never be settled
            return sorted.zrem(names.unsettledDue(), member).replaceWith(new Busy());
        }
        return eval(CLAIM, List.of(names.unsettledDue(), names.unsettledClaims(), names.unsettledRequests(ids[0])),
                member, ids[1], owner, claim.toMillis()).map(answer -> switch (answer.get(0).toString()) {
                    case "claimed" -> new Claimed(ids[0], ids[1], isOther(answer.get(1).toString(), owner));
                    case "lapsed" -> new Lapsed(ids[0], ids[1]);
                    default -> new Busy();
                });
    }

    private static boolean isOther(String previous, String owner) {
        return !previous.isEmpty() && !previous.equals(owner);
    }

    /** Lengthens the owner's claim to {@code claim} from now; false if it no longer holds it (it lapsed and was taken). */
    public Uni<Boolean> extend(String workerId, String requestId, String owner, Duration claim) {
        return holder(workerId, requestId, owner, claim.toMillis(), "keep");
    }

    /**
     * Hands the owner's claim back (compare and delete), the request due again after {@code dueIn}, for whichever
     * replica's sweeper comes first; false if the owner no longer held it.
     */
    public Uni<Boolean> handOver(String workerId, String requestId, String owner, Duration dueIn) {
        return holder(workerId, requestId, owner, dueIn.toMillis(), "release");
    }

    private Uni<Boolean> holder(String workerId, String requestId, String owner, long fromNow, String release) {
        return eval(HOLDER, List.of(names.unsettledDue(), names.unsettledClaims()),
                GatewayKeys.unsettledMember(workerId, requestId), owner, fromNow, release).map(held -> held.toInteger() == 1);
    }

    /** The request's outcome is known (released or withdrawn by the allocator): its mark, index entry and claim go. */
    public Uni<Void> clear(String workerId, String requestId) {
        return done(workerId, requestId, "clear");
    }

    /**
     * Settling the request is given up (the allocator refused it): it leaves the index and its claim goes, its mark
     * stays until it lapses, so the keep-alive still renews only what the worker was told of.
     */
    public Uni<Void> giveUp(String workerId, String requestId) {
        return done(workerId, requestId, "keep");
    }

    private Uni<Void> done(String workerId, String requestId, String mark) {
        return eval(DONE, List.of(names.unsettledDue(), names.unsettledClaims(), names.unsettledRequests(workerId)),
                GatewayKeys.unsettledMember(workerId, requestId), requestId, mark).replaceWithVoid();
    }

    /**
     * Whether the worker has an allocation whose mark has not lapsed, or one this replica could not mark yet (its mark
     * kept in memory, {@link #keepUnwritten}): the keep-alive on this replica then renews only what the worker was told
     * of. Another replica's keep-alive does not see the latter (see the README's settling section).
     */
    public Uni<Boolean> any(String workerId) {
        long now = now();
        if (unwritten.values().stream().anyMatch(mark -> mark.workerId().equals(workerId) && mark.givenUpAt() > now)) {
            return Uni.createFrom().item(true);
        }
        return eval(LIVE, List.of(names.unsettledRequests(workerId))).map(count -> count.toLong() > 0);
    }

    /**
     * Keeps in memory the mark of a request that {@link #mark} could not write, to be written by
     * {@link #writeUnwritten} once {@link #unwrittenReady} made it ready; {@code lapse} as for {@link #mark}. False when
     * this replica already keeps {@code leases.unwritten-marks} of them: the request is then not kept.
     */
    public boolean keepUnwritten(String workerId, String requestId, Duration lapse) {
        String member = GatewayKeys.unsettledMember(workerId, requestId);
        // a bound, not an exact one: two failures at once may both pass the size check
        if (unwritten.size() >= unwrittenBound && !unwritten.containsKey(member)) {
            return false;
        }
        unwritten.put(member, new Unwritten(workerId, requestId, lapse, now() + lapse.toMillis(), Long.MAX_VALUE));
        return true;
    }

    /**
     * The kept mark of the request may be written now, due for the sweepers {@code dueIn} later; false if none is kept
     * (it was not kept, or was given up).
     */
    public boolean unwrittenReady(String workerId, String requestId, Duration dueIn) {
        long due = now() + dueIn.toMillis();
        return unwritten.computeIfPresent(GatewayKeys.unsettledMember(workerId, requestId),
                (member, mark) -> new Unwritten(mark.workerId(), mark.requestId(), mark.lapse(), mark.givenUpAt(), due)) != null;
    }

    /** Forgets the kept mark of the request (settled: there is nothing to write); false if none was kept. */
    public boolean forgetUnwritten(String workerId, String requestId) {
        return unwritten.remove(GatewayKeys.unsettledMember(workerId, requestId)) != null;
    }

    /** The kept marks, earliest due first (those not ready last). */
    public List<Unwritten> unwritten() {
        return unwritten.values().stream().sorted(Comparator.comparingLong(Unwritten::dueAt)).toList();
    }

    /**
     * Writes a kept mark, unclaimed: the mark lapses {@code lapse} from now (a keep-alive may have renewed the grant
     * before it was written, for as long as the mark covers), the request is in the index due at its {@code dueAt}
     * (this replica's clock, turned into a wait from now), and the sweeper of any replica settles it from there.
     * Forgotten from memory once written; fails like {@link #mark}.
     */
    public Uni<Void> writeUnwritten(Unwritten mark) {
        long dueIn = Math.max(0, mark.dueAt() - now());
        return eval(MARK, List.of(names.unsettledRequests(mark.workerId()), names.unsettledDue(), names.unsettledClaims()),
                mark.requestId(), GatewayKeys.unsettledMember(mark.workerId(), mark.requestId()), mark.lapse().toMillis(),
                "", dueIn).invoke(() -> forgetUnwritten(mark.workerId(), mark.requestId())).replaceWithVoid();
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    private Uni<Response> eval(LuaScript script, List<String> keys, Object... args) {
        List<String> texts = new ArrayList<>(args.length);
        for (Object arg : args) {
            texts.add(String.valueOf(arg));
        }
        return script.run(redis, keys, texts);
    }
}

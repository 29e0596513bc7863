package io.envgrid.vmcontroller.support;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The allocator's side of a lease, written into Redis exactly as the allocator's scripts write it
 * (resource-allocator-service/src/main/resources/lua: register.lua, allocate.lua, lib.lua's
 * end_lease, delete.lua), so the controller is tested against the records it reads in production
 * without the allocator running. Keys use the allocator's default prefix {@code {envgrid}:}.
 */
public final class LeaseRecords {

    public static final String PREFIX = "{envgrid}:";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One grant: what the allocator stored and the allocation entry it answered with. */
    public record Grant(String id, String worker, String leaseId, String leaseToken, long fence, Map<String, Object> entry) {
    }

    private final RedisDataSource redis;

    public LeaseRecords(RedisDataSource redis) {
        this.redis = redis;
    }

    /** Registers a desktop VM whose OSWorld server is 127.0.0.1:{@code port} (register.lua). */
    public void registerVm(String id, int port) {
        register(id, "vm_pyautogui", new JsonObject().put("ip", "127.0.0.1").put("port", port)
                .put("token", "vm-secret-" + id));
    }

    public void register(String id, String type, JsonObject endpoint) {
        String k = record(id);
        if (!redis.key().exists(k)) {
            redis.set(String.class).sadd(PREFIX + "all", id);
            redis.hash(Long.class).hincrby(PREFIX + "types", type, 1);
            redis.hash(String.class).hset(k, Map.of("id", id, "type", type, "admin", "active",
                    "created", Long.toString(now())));
        }
        redis.hash(String.class).hset(k, Map.of("endpoint", endpoint.encode(), "labels", "{}", "hb_ttl_ms", "0",
                "health", "up"));
    }

    /** Grants {@code id} to {@code worker} for {@code leaseMs} (allocate.lua): a fresh token, the next fencing token. */
    public Grant grant(String id, String worker, long leaseMs) {
        String k = record(id);
        long now = now();
        long expires = now + leaseMs;
        long fence = redis.hash(Long.class).hincrby(PREFIX + "fence", id, 1);
        String leaseId = id + ":" + fence;
        String token = "elt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bits());
        String type = redis.hash(String.class).hget(k, "type");
        redis.hash(String.class).hset(k, Map.of("worker", worker, "lease_id", leaseId, "lease_token", token,
                "fence", Long.toString(fence), "expires", Long.toString(expires), "granted", Long.toString(now)));
        redis.sortedSet(String.class).zadd(PREFIX + "leases", expires, id);
        redis.set(String.class).sadd(PREFIX + "w:" + worker, id);
        redis.sortedSet(String.class).zrem(PREFIX + "free:" + type, id);
        // The allocation entry as AllocationService builds it from the grant.
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", id);
        entry.put("type", type);
        entry.putAll(new JsonObject(redis.hash(String.class).hget(k, "endpoint")).getMap());
        entry.put("labels", Map.of());
        entry.put("lease_id", leaseId);
        entry.put("lease_token", token);
        entry.put("fencing_token", fence);
        entry.put("expires_at", Instant.ofEpochMilli(expires).toString());
        return new Grant(id, worker, leaseId, token, fence, entry);
    }

    public Grant grant(String id, String worker) {
        return grant(id, worker, 600_000);
    }

    /** Ends the lease as release does (lib.lua end_lease): the lease fields go, the record stays. */
    public void release(String id) {
        String k = record(id);
        String worker = redis.hash(String.class).hget(k, "worker");
        redis.hash(String.class).hdel(k, "worker", "lease_id", "lease_token", "expires", "granted");
        redis.sortedSet(String.class).zrem(PREFIX + "leases", id);
        if (worker != null) {
            redis.set(String.class).srem(PREFIX + "w:" + worker, id);
        }
    }

    /** A forced delete (delete.lua): the lease is revoked and the record cleared. */
    public void revoke(String id) {
        release(id);
        redis.key().del(record(id));
        redis.set(String.class).srem(PREFIX + "all", id);
    }

    /**
     * Moves the lease's expiry into the past on Redis' clock and nothing else: no reaper has run, the
     * lease is still in the leases set and the record still names the worker and the token.
     */
    public void expireWithoutReaper(String id) {
        redis.hash(String.class).hset(record(id), "expires", Long.toString(now() - 1));
    }

    public String field(String id, String field) {
        return redis.hash(String.class).hget(record(id), field);
    }

    public static String record(String id) {
        return PREFIX + "r:" + id;
    }

    /** Redis' clock (TIME), the one the allocator's scripts use. */
    public long now() {
        var time = redis.execute("TIME");
        return time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
    }

    private static byte[] bits() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return bits;
    }
}

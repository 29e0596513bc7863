package io.envgrid.gateway.lease;

import io.envgrid.gateway.redis.GatewayKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ExpireArgs;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.sortedset.ReactiveSortedSetCommands;
import io.quarkus.redis.datasource.sortedset.ScoreRange;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The allocations of a worker whose outcome is not known yet: the allocator may have granted them, but the
 * worker was not told (a 5xx, a deadline, a cut connection) and the gateway is still settling them by request
 * id. While a worker has one, {@link LeaseKeepAlive} renews only the leases the worker was told of, so a grant
 * nobody heard of is never kept alive, even if settling never gets an answer: it then ends at its own expiry.
 * Kept in Redis (any replica's keep-alive reads it), per worker a sorted set of request ids scored by when the
 * mark lapses; a mark outlives the longest any lease of that request can live unrenewed.
 */
@ApplicationScoped
public class UnsettledRequests {

    private final ReactiveSortedSetCommands<String, String> sorted;
    private final ReactiveKeyCommands<String> keys;
    private final GatewayKeys names;

    public UnsettledRequests(ReactiveRedisDataSource redis, GatewayKeys names) {
        this.sorted = redis.sortedSet(String.class);
        this.keys = redis.key();
        this.names = names;
    }

    /** Marks {@code requestId} of the worker unsettled for {@code lapse}. */
    public Uni<Void> mark(String workerId, String requestId, Duration lapse) {
        String key = names.unsettledRequests(workerId);
        long until = System.currentTimeMillis() + lapse.toMillis();
        // The key lives as long as its longest mark: NX sets the first expiry, GT only ever lengthens it.
        return sorted.zadd(key, until, requestId)
                .chain(() -> keys.pexpire(key, lapse.toMillis(), new ExpireArgs().nx()))
                .chain(() -> keys.pexpire(key, lapse.toMillis(), new ExpireArgs().gt()))
                .replaceWithVoid();
    }

    /** The request's outcome is known (delivered, released or refused): its mark goes. */
    public Uni<Void> clear(String workerId, String requestId) {
        return sorted.zrem(names.unsettledRequests(workerId), requestId).replaceWithVoid();
    }

    /** Whether the worker has an allocation whose mark has not lapsed. */
    public Uni<Boolean> any(String workerId) {
        return sorted.zcount(names.unsettledRequests(workerId),
                        new ScoreRange<>((double) System.currentTimeMillis(), Double.POSITIVE_INFINITY))
                .map(count -> count > 0);
    }
}

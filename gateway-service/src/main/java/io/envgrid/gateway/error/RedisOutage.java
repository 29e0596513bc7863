package io.envgrid.gateway.error;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Tells a failure of the gateway's own Redis (its session store, lease records, notification
 * streams) from a fault in the gateway, so a tool call that meets one answers 503
 * {@code REDIS_UNAVAILABLE} (retryable) rather than 500. A failover shows as both kinds: the old
 * master's connection reset ({@link IOException} anywhere in the cause chain: the Redis client
 * hands Netty's exception on as it is) and, for a moment, error replies from a demoted or still
 * loading node ({@code READONLY}, {@code MASTERDOWN}, … — the same list the allocator treats as
 * unavailable). Calls to the other services never reach here as an {@code IOException}: their
 * clients turn it into {@code BACKEND_UNREACHABLE} first.
 */
public final class RedisOutage {

    /** Error replies of a node that cannot serve now but will (Redis docs: replication, Sentinel, Cluster). */
    private static final List<String> UNAVAILABLE_REPLIES =
            List.of("READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "LOADING", "NOREPLICAS");

    private RedisOutage() {
    }

    /** True when {@code failure} or one of its causes is a lost Redis connection or a not-now reply. */
    public static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
            if (t instanceof io.vertx.redis.client.impl.types.ErrorType) {
                String message = String.valueOf(t.getMessage());
                return UNAVAILABLE_REPLIES.stream().anyMatch(message::startsWith);
            }
        }
        return false;
    }

    /** The 503 a tool call answers when {@link #isOutage} holds. */
    public static ToolFailure failure(Throwable failure) {
        return new ToolFailure(503, ErrorCode.REDIS_UNAVAILABLE, "Redis is unavailable, retry: " + failure.getMessage(), Map.of());
    }
}

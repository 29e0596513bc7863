package io.envgrid.gateway.mcp.session;

import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.redisscripts.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Who holds a Streamable HTTP session's standalone stream, kept in the session's Redis hash: {@code owner} (the
 * replica, which {@link io.envgrid.gateway.mcp.transport.SseRelay} routes server messages to) and {@code stream} (the
 * id of that one {@code GET /mcp}). A new stream takes the claim over; a stream that ends gives it back only if it is
 * still the claim's stream (compare-and-delete in one script), so the close of a stream that was taken over — on
 * the same replica or another, whenever its close is noticed — never clears the claim of the stream that replaced it.
 */
@ApplicationScoped
public class StreamOwnership {

    /**
     * KEYS: session hash, the session's recorded messages; ARGV: replica, stream id. Claims only a session that exists;
     * answers the id of the last message recorded at the claim ({@code 0-0} when none is), nil when not claimed.
     */
    private static final LuaScript CLAIM_SCRIPT = LuaScript.of("if redis.call('EXISTS', KEYS[1]) == 0 then return false end "
            + "redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'stream', ARGV[2]) "
            + "local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1) "
            + "if #last == 0 then return '0-0' end return last[1][1]");
    /** KEYS: session hash; ARGV: the stream giving up its claim. Answers 1 when the claim was still its own. */
    private static final LuaScript RELEASE_SCRIPT = LuaScript.of("if redis.call('HGET', KEYS[1], 'stream') == ARGV[1] then "
            + "redis.call('HSET', KEYS[1], 'owner', '', 'stream', '') return 1 end return 0");

    private final ReactiveRedisDataSource redis;
    private final GatewayKeys names;

    public StreamOwnership(ReactiveRedisDataSource redis, GatewayKeys names) {
        this.redis = redis;
        this.names = names;
    }

    /** Makes {@code streamId}, held by {@code replica}, the session's stream; false when the session does not exist. */
    public Uni<Boolean> claim(String sessionId, String replica, String streamId) {
        return claimAt(sessionId, replica, streamId).map(last -> last != null);
    }

    /**
     * As {@link #claim}, and answers the event id of the last message recorded for the session when the claim took
     * effect ({@code 0-0} when none is), null when the session does not exist: every message recorded later is
     * relayed to the new stream, so that is where a catch-up of the stream starts
     * ({@link io.envgrid.gateway.mcp.transport.SseRelay#catchUp()}).
     */
    public Uni<String> claimAt(String sessionId, String replica, String streamId) {
        return CLAIM_SCRIPT.run(redis, List.of(names.mcpSession(sessionId), names.mcpSessionEvents(sessionId)), replica, streamId)
                .map(r -> r == null ? null : r.toString());
    }

    /** Gives the claim up if {@code streamId} still holds it; true when it did (another stream's claim is left alone). */
    public Uni<Boolean> release(String sessionId, String streamId) {
        return RELEASE_SCRIPT.run(redis, List.of(names.mcpSession(sessionId)), streamId)
                .map(r -> r != null && r.toLong() == 1);
    }
}

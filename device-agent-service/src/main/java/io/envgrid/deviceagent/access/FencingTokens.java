package io.envgrid.deviceagent.access;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The highest fencing token this agent has seen verified for each resource. The allocator's tokens grow strictly
 * per resource (lib.lua invariant I3, kept across delete and re-register), so a live lease with a lower token than
 * one already seen can only come from an allocator that lost its state: it is refused rather than trusted. Kept in
 * memory: a restarted agent starts from what the allocator says next.
 */
@ApplicationScoped
public class FencingTokens {

    private final Map<String, Long> highest = new ConcurrentHashMap<>();

    /**
     * Records {@code token} for {@code resourceId} unless a higher one was seen.
     *
     * @return the highest token seen before this one when {@code token} is lower (stale), else -1
     */
    public long observe(String resourceId, long token) {
        long[] staleAgainst = {-1};
        highest.merge(resourceId, token, (seen, offered) -> {
            if (offered < seen) {
                staleAgainst[0] = seen;
                return seen;
            }
            return offered;
        });
        return staleAgainst[0];
    }
}

package io.envgrid.rag.access;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The highest fencing token verified so far for each collection's resource. The allocator's tokens only grow per
 * resource (lib.lua invariant I3), so a live lease with a lower one than already seen means the allocator lost its
 * state: such a lease is refused, not trusted. In memory only: after a restart the next verified lease sets the mark.
 */
@ApplicationScoped
public class FencingTokens {

    private final ConcurrentMap<String, Long> highest = new ConcurrentHashMap<>();

    /**
     * Remembers {@code fencingToken} for {@code resourceId} if it is the highest yet.
     *
     * @return true when the token is at least the highest seen before (the lease may act), false when it is lower
     */
    public boolean admit(String resourceId, long fencingToken) {
        long mark = highest.merge(resourceId, fencingToken, Math::max);
        return fencingToken >= mark;
    }

    /** The highest token seen for {@code resourceId}, or -1 when none was. */
    public long highest(String resourceId) {
        return highest.getOrDefault(resourceId, -1L);
    }
}

package io.envgrid.gateway.smcp.office;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code client:*} calls waiting for an answer on this replica, per caller (an agent's Socket.IO sid, or an MCP
 * session calling through the bridge) and per office, with their caps: what one caller may have in flight, and what
 * one office may (its agent's calls and the bridge's). Memory is per replica, so the counts are too.
 */
final class PendingCalls {

    private final int maxPerCaller;
    private final int maxPerOffice;
    private final Map<String, Integer> byCaller = new HashMap<>();
    private final Map<String, Integer> byOffice = new HashMap<>();

    PendingCalls(int maxPerCaller, int maxPerOffice) {
        this.maxPerCaller = maxPerCaller;
        this.maxPerOffice = maxPerOffice;
    }

    int maxPerCaller() {
        return maxPerCaller;
    }

    /**
     * Counts a call of {@code caller} into {@code office}: empty when admitted (then {@link #release} once it ends),
     * else the refusal, whose scope is {@code callerScope} or {@code "office"}.
     */
    synchronized Optional<CallOutcome.Saturated> admit(String caller, String callerScope, String office) {
        int mine = byCaller.getOrDefault(caller, 0);
        int inOffice = byOffice.getOrDefault(office, 0);
        if (mine >= maxPerCaller) {
            return Optional.of(new CallOutcome.Saturated(callerScope, maxPerCaller));
        }
        if (inOffice >= maxPerOffice) {
            return Optional.of(new CallOutcome.Saturated("office", maxPerOffice));
        }
        byCaller.put(caller, mine + 1);
        byOffice.put(office, inOffice + 1);
        return Optional.empty();
    }

    /** An admitted call ended (answered, timed out, refused further on, or its Computer gone). */
    synchronized void release(String caller, String office) {
        byCaller.computeIfPresent(caller, (k, n) -> n <= 1 ? null : n - 1);
        byOffice.computeIfPresent(office, (k, n) -> n <= 1 ? null : n - 1);
    }
}

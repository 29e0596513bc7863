package io.envgrid.gateway.smcp.office;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code client:*} calls waiting for an answer on this replica, per caller (Socket.IO sid) and per office, with
 * their caps: what an agent may have in flight, and what one office may (its agent's calls and any other caller's).
 * Memory is per replica, so the counts are too.
 */
final class PendingCalls {

    private final int maxPerSocket;
    private final int maxPerOffice;
    private final Map<String, Integer> bySocket = new HashMap<>();
    private final Map<String, Integer> byOffice = new HashMap<>();

    PendingCalls(int maxPerSocket, int maxPerOffice) {
        this.maxPerSocket = maxPerSocket;
        this.maxPerOffice = maxPerOffice;
    }

    int maxPerSocket() {
        return maxPerSocket;
    }

    int maxPerOffice() {
        return maxPerOffice;
    }

    /** Counts a call of {@code sid} into {@code office}: null when admitted, else the scope whose cap is reached. */
    synchronized String admit(String sid, String office) {
        int mine = bySocket.getOrDefault(sid, 0);
        int inOffice = byOffice.getOrDefault(office, 0);
        if (mine >= maxPerSocket) {
            return "socket";
        }
        if (inOffice >= maxPerOffice) {
            return "office";
        }
        bySocket.put(sid, mine + 1);
        byOffice.put(office, inOffice + 1);
        return null;
    }

    /** An admitted call ended (answered, timed out, refused further on, or its Computer gone). */
    synchronized void release(String sid, String office) {
        bySocket.computeIfPresent(sid, (k, n) -> n <= 1 ? null : n - 1);
        byOffice.computeIfPresent(office, (k, n) -> n <= 1 ? null : n - 1);
    }
}

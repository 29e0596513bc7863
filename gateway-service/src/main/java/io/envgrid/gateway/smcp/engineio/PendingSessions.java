package io.envgrid.gateway.smcp.engineio;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the Engine.IO sessions that have not yet authenticated, in all and per remote address, so that a client
 * cannot open sessions forever without ever connecting to a namespace with a valid token.
 */
final class PendingSessions {

    private final int max;
    private final int maxPerAddress;
    private final Map<String, Integer> byAddress = new ConcurrentHashMap<>();
    private int total;

    PendingSessions(int max, int maxPerAddress) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
    }

    /** What {@link #admit} decided. */
    enum Admission { ADMITTED, ADDRESS_FULL, ALL_FULL }

    /** Counts one more pending session from {@code address}, unless a cap is reached (then nothing is counted). */
    synchronized Admission admit(String address) {
        int here = byAddress.getOrDefault(address, 0);
        if (here >= maxPerAddress) {
            return Admission.ADDRESS_FULL;
        }
        if (total >= max) {
            return Admission.ALL_FULL;
        }
        total++;
        byAddress.put(address, here + 1);
        return Admission.ADMITTED;
    }

    /** One session of {@code address} authenticated or closed. */
    synchronized void release(String address) {
        total--;
        byAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    synchronized int total() {
        return total;
    }
}

package io.envgrid.gateway.smcp.office;

import io.envgrid.gateway.security.Principal;
import java.util.HashMap;
import java.util.Map;

/**
 * The authenticated {@code /smcp} connections each token principal holds on this replica, capped at
 * {@code max-connections-per-principal}: one tenant's token cannot take every connection a replica can carry. Counted
 * by principal name (the name a token proves, as sessions and office seats are); open mode's anonymous callers are
 * one principal only in name, so they are not counted. Per replica, as every other bound of the SMCP server: a count
 * kept in Redis would outlive a killed replica's connections.
 */
final class PrincipalConnections {

    private final int max;
    private final Map<String, Integer> open = new HashMap<>();

    PrincipalConnections(int max) {
        this.max = max;
    }

    int max() {
        return max;
    }

    /** Counts one more connection of {@code principal}; false (nothing counted) when it already holds {@link #max()}. */
    synchronized boolean admit(Principal principal) {
        if (principal instanceof Principal.Open) {
            return true;
        }
        int held = open.getOrDefault(principal.name(), 0);
        if (held >= max) {
            return false;
        }
        open.put(principal.name(), held + 1);
        return true;
    }

    /** One admitted connection of {@code principal} ended. */
    synchronized void release(Principal principal) {
        if (!(principal instanceof Principal.Open)) {
            open.computeIfPresent(principal.name(), (k, n) -> n <= 1 ? null : n - 1);
        }
    }
}

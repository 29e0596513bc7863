package io.envgrid.allocator.inventory;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * A resource as listed by {@code GET /resources}: its identity, how to reach it, and its state
 * ({@code free}, {@code leased}, {@code resetting}, {@code draining}, {@code down}). {@code reset}: it
 * needs a reset between leases; {@code downReason}: why a reset took it down (null otherwise); {@code owner}: the
 * principal that registered it ({@code service}, {@code agent:<id>}, {@code open}); {@code drainedBy} and
 * {@code drainedAt}: who drained it and when (null unless draining).
 */
@RegisterForReflection
public record ResourceView(String id, String type, String state, String admin, String health,
        Map<String, Object> endpoint, Map<String, String> labels, Integer heartbeatTtl, boolean reset,
        String downReason, long fencingToken, String owner, String drainedBy, String drainedAt,
        LeaseView lease) {
}

package io.envgrid.allocator.api;

import io.envgrid.allocator.error.ApiException;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /resources}: one leasable resource. {@code endpoint} is what a holder needs to reach
 * it (ip, port, token, base_url, ...); its fields are merged into the allocation answer. With
 * {@code reset: true} every lease's end leaves it {@code resetting} until its owner reports the reset
 * ({@code POST /resources/{id}/reset}); absent means false.
 */
public record RegisterRequest(String id, String type, Map<String, Object> endpoint, Map<String, String> labels,
        Integer heartbeatTtl, Boolean reset) {

    /** Keys the allocation answer sets itself; an endpoint may not shadow them. */
    public static final Set<String> RESERVED_ENDPOINT_KEYS =
            Set.of("id", "type", "labels", "lease_id", "fencing_token", "expires_at");
    private static final int MAX_HEARTBEAT_TTL_SECONDS = 86_400;

    public void validate() {
        Validation.requireId("id", id);
        Validation.requireType("type", type);
        Validation.requireLabels("labels", labels);
        if (endpoint != null) {
            endpoint.keySet().stream().filter(RESERVED_ENDPOINT_KEYS::contains).findFirst().ifPresent(k -> {
                throw ApiException.badRequest("'endpoint' may not contain the reserved key '" + k + "'");
            });
        }
        if (heartbeatTtl != null) {
            Validation.requireRange("heartbeat_ttl", heartbeatTtl, 0, MAX_HEARTBEAT_TTL_SECONDS);
        }
    }

    public Map<String, Object> endpointOrEmpty() {
        return endpoint == null ? Map.of() : endpoint;
    }

    public Map<String, String> labelsOrEmpty() {
        return labels == null ? Map.of() : labels;
    }

    /** Whether the resource needs a reset between leases. */
    public boolean needsReset() {
        return Boolean.TRUE.equals(reset);
    }

    public int heartbeatTtlSeconds() {
        return heartbeatTtl == null ? 0 : heartbeatTtl;
    }
}

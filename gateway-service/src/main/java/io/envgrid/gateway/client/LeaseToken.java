package io.envgrid.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The lease credential of one resource (docs/isolation.md): the allocation entry's
 * {@code lease_token}, sent as {@code X-Envgrid-Lease-Token} on every call that acts on that
 * resource. It is read from the worker's record, never logged, and sent only to the service that
 * serves the resource.
 */
public final class LeaseToken {

    public static final String HEADER = "X-Envgrid-Lease-Token";
    public static final String FIELD = "lease_token";

    private LeaseToken() {
    }

    /** The header for an allocation entry; none when the entry carries no token (an allocator before lease tokens). */
    public static Map<String, String> headerOf(JsonNode entry) {
        String token = entry.path(FIELD).asText("");
        return token.isEmpty() ? Map.of() : Map.of(HEADER, token);
    }
}

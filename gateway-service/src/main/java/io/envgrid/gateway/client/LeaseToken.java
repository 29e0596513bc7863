package io.envgrid.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The lease credential of one resource (docs/isolation.md): the allocation entry's
 * {@code lease_token}, sent as {@code X-Envgrid-Lease-Token} on every call that acts on that
 * resource. It is read from the worker's record, never logged, and sent only to the service that
 * serves the resource ({@link Credential}).
 */
public final class LeaseToken {

    public static final String HEADER = "X-Envgrid-Lease-Token";
    public static final String FIELD = "lease_token";

    private LeaseToken() {
    }

    /** The token of an allocation entry; empty when the entry carries none (an allocator before lease tokens). */
    public static Optional<String> of(JsonNode entry) {
        String token = entry.path(FIELD).asText("");
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}

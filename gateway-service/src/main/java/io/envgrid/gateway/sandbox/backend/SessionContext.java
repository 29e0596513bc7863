package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whom a backend tool acts for: the worker and, for a stateful backend, the resource its session
 * holds (the allocator's entry: id, ip/port or agent_url, lease, fencing token; null, or a JSON null, for a
 * stateless backend and for a session that holds nothing) and the session's config (the profile's merged with
 * the session's own; null outside a session).
 */
public record SessionContext(String workerId, JsonNode resource, JsonNode config) {

    /** A call in no session. */
    public static SessionContext none(String workerId) {
        return new SessionContext(workerId, null, null);
    }

    public String resourceId() {
        return holds() ? resource.path("id").asText() : null;
    }

    /** Whether the session holds a leased resource. */
    public boolean holds() {
        return resource != null && !resource.isNull();
    }
}

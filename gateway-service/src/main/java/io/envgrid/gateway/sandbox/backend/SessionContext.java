package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whom a backend tool acts for: the worker and, for a stateful backend, the resource its session
 * holds (the allocator's entry: id, ip/port or agent_url, lease, fencing token); null for a
 * stateless backend.
 */
public record SessionContext(String workerId, JsonNode resource) {

    public String resourceId() {
        return resource == null ? null : resource.path("id").asText();
    }
}

package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;

/** A stateful backend (the Sandbox session lifecycle): each worker's session holds a resource of its own. */
public interface SessionBackend extends SandboxBackend {

    /**
     * Refuses (400) a session config, after merging with the profile's, that this backend cannot
     * serve: checked before anything is claimed or leased.
     */
    void checkConfig(ObjectNode config);

    /**
     * Takes what a worker's session needs ({@code initialize}) and returns it: the leased resource's entry (the
     * allocator's, plus the {@code request_id} of the allocation that granted it), or a JSON null when the config names nothing to lease (a rag session on a collection nobody leases).
     */
    Uni<JsonNode> initialize(String workerId, ObjectNode config);

    /**
     * Gives back what {@link #initialize} took ({@code cleanup}), that grant and no later one of the same resource;
     * nothing for a JSON null.
     */
    Uni<Void> cleanup(String workerId, JsonNode resource);

    /**
     * Whether a call with no explicit session runs in a temporary one, opened and closed around it: true when the
     * profile's config leases something. False only for a backend whose profile leases nothing (rag naming no
     * collection): its calls then run as a stateless backend's, for any worker or none.
     */
    default boolean temporarySessions() {
        return true;
    }
}

package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.sandbox.profile.ResourceProfile;
import io.smallrye.mutiny.Uni;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A backend serving one resource type of the profile. Every backend is warmed up once per replica
 * before first use (the profile's {@code warmup}); a stateless one is shared by all workers, a
 * {@link SessionBackend} gives each worker its own resource. Seed 002's {@code shutdown} has nothing
 * to do here: sessions live in Redis and outlive the replica, whose peers go on serving them.
 */
public interface SandboxBackend {

    ResourceProfile profile();

    /**
     * Arguments a call in a session gets from what the session holds, unless the call names them itself: by default
     * the held resource as {@code resource_id} (a desktop's, a device's); none for a session holding nothing. They
     * come from the worker's own session record, never from the caller.
     */
    default ObjectNode sessionArguments(SessionContext session) {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        String resourceId = session.resourceId();
        if (resourceId != null) {
            arguments.put("resource_id", resourceId);
        }
        return arguments;
    }

    /**
     * Whether {@link #sessionArguments} carries values from the worker's own config (the profile's or the session's),
     * which must pass the tool's argument check before a call runs; {@code false} when it carries only what the gateway
     * itself recorded for the session (the granted resource's id), which needs no second check.
     */
    default boolean configSuppliesArguments() {
        return false;
    }

    /** Checks that the services behind the backend answer; the details are shown by {@code /warmup/status}. */
    Uni<JsonNode> warmup();
}

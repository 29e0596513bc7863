package io.envgrid.deviceagent.allocatorclient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The part of the allocator's {@code GET /resources/{id}} the agent acts on: its state, its admin state
 * ({@code draining} or {@code active}), live lease, and the last fencing token granted (while {@code resetting}: the
 * ended lease's, which the reset report must carry).
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AllocatorResource(String id, String type, String state, String admin, Lease lease, long fencingToken) {

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Lease(String workerId, String leaseId, long fencingToken, String expiresAt) {
    }
}

package io.envgrid.deviceagent.allocatorclient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The allocator's answer to {@code POST /leases/verify} when the token is the live lease's:
 * {@code {"resource_id","type","worker_id","lease_id","fencing_token","expires_at"}} ({@code expires_at} ISO-8601).
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VerifiedLease(String resourceId, String type, String workerId, String leaseId, long fencingToken,
        String expiresAt) {
}

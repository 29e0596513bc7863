package io.envgrid.deviceagent.allocatorclient;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * The body of the allocator's {@code POST /resources}: one leasable resource and how to reach it; {@code reset} true:
 * the allocator holds it {@code resetting} after each lease until this agent reports it clean (null: not sent).
 */
@RegisterForReflection
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record ResourceRegistration(String id, String type, Map<String, Object> endpoint, Map<String, String> labels,
        int heartbeatTtl, Boolean reset) {
}

package io.envgrid.deviceagent.allocatorclient;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/** The body of the allocator's {@code POST /resources}: one leasable resource and how to reach it. */
@RegisterForReflection
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ResourceRegistration(String id, String type, Map<String, Object> endpoint, Map<String, String> labels,
        int heartbeatTtl) {
}

package io.envgrid.rag.registration;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/** A collection offered for leasing: type {@code rag}, endpoint {@code {base_url, collection}}, the shape the allocator hands a worker that leases a collection. */
@RegisterForReflection
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RagResource(String id, String type, Map<String, Object> endpoint, Map<String, String> labels, int heartbeatTtl) {
}

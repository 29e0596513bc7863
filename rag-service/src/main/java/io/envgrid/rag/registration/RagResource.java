package io.envgrid.rag.allocator;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/** A collection offered for leasing: type {@code rag}, endpoint {@code {base_url, collection}} as seed 000 shows it. */
@RegisterForReflection
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RagResource(String id, String type, Map<String, Object> endpoint, Map<String, String> labels, int heartbeatTtl) {
}

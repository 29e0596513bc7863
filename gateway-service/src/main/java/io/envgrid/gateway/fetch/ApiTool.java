package io.envgrid.gateway.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.sandbox.profile.ApiToolKind;
import io.smallrye.mutiny.Uni;

/**
 * A stateless API tool (seed 003's {@code @register_api_tool}): no session, no resource type; its
 * configuration comes from the profile's {@code apis.<config_key>} section when it is built and
 * cannot be overridden by a call's parameters.
 */
public interface ApiTool {

    ApiToolKind kind();

    String description();

    ObjectNode inputSchema();

    Uni<JsonNode> call(ObjectNode params);
}

package io.envgrid.gateway.sandbox.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ErrorEnvelope;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.sandbox.execution.SandboxCatalog;
import io.envgrid.gateway.sandbox.execution.SandboxTool;
import io.envgrid.gateway.sandbox.execution.WarmUps;
import io.envgrid.gateway.sandbox.http.SandboxBodies.WarmupRequest;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * What the Sandbox HTTP API offers and how its backends are (seeds 002/003): {@code /tools}, {@code /warmup},
 * {@code /warmup/status}, {@code /health}. The worker's calls are in {@link SandboxResource}.
 */
@Path("/")
@Tag(name = "Sandbox API")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class SandboxCatalogResource {

    static final int MAX_WARMUP_TYPES = 64;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final WarmupRequest WARM_UP_ALL = new WarmupRequest(null);

    private final SandboxCatalog catalog;
    private final WarmUps warmUps;
    private final StrictBodies bodies;

    public SandboxCatalogResource(SandboxCatalog catalog, WarmUps warmUps, StrictBodies bodies) {
        this.catalog = catalog;
        this.warmUps = warmUps;
        this.bodies = bodies;
    }

    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SandboxBodies.ToolsResponse.class)))
    @GET
    @Path("tools")
    @Operation(summary = "Every tool with its full name, short name, resource type, MCP name, description, input and output schema and annotations")
    public ObjectNode tools(@QueryParam("resource_type") String resourceType) {
        ObjectNode answer = NODES.objectNode();
        ArrayNode list = answer.putArray("tools");
        for (SandboxTool tool : catalog.tools()) {
            if (resourceType != null && !resourceType.equals(tool.resourceType())) {
                continue;
            }
            ObjectNode entry = list.addObject().put("name", tool.name()).put("short_name", tool.shortName())
                    .put("resource_type", tool.resourceType()).put("kind", tool.resourceType() == null ? "api" : "backend")
                    .put("description", tool.tool().spec().description());
            // the registry tool this name stands for, as MCP knows it (an API tool has no MCP name)
            entry.put("mcp_name", tool.resourceType() == null ? null : tool.tool().spec().name());
            entry.set("input_schema", tool.tool().spec().inputSchema());
            entry.set("output_schema", tool.tool().spec().outputSchema());
            entry.set("annotations", tool.tool().spec().annotations().toJson());
        }
        return answer.put("count", list.size());
    }

    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WarmupRequest.class)))
    @APIResponse(responseCode = "400", description = "INVALID_PARAMETERS: a malformed body, an unknown field or a wrong JSON type "
            + "(details.field names it), too many resource types", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorEnvelope.class)))
    @POST
    @Path("warmup")
    @Operation(summary = "Warm up backends: {resources: [\"rag\", \"vm\"]} (all when absent) -> the warm-up status")
    public Uni<ObjectNode> warmup(byte[] body) {
        List<String> types = bodies.read(body, WarmupRequest.class, WARM_UP_ALL).resources();
        if (types == null) {
            types = List.of();
        }
        if (types.size() > MAX_WARMUP_TYPES) {
            throw ToolFailure.invalid("'resources' lists at most " + MAX_WARMUP_TYPES + " resource types");
        }
        if (types.stream().anyMatch(java.util.Objects::isNull)) {
            throw ToolFailure.invalid("'resources' must contain strings only");
        }
        return warmUps.warmUp(types);
    }

    @GET
    @Path("warmup/status")
    @Operation(summary = "{backends: {type: {loaded, warmed_up, stateless, details | error}}}")
    public ObjectNode warmupStatus() {
        return warmUps.status();
    }

    @GET
    @Path("health")
    @Operation(summary = "The Sandbox service's own health: profile, backends, tool count")
    public ObjectNode health() {
        ObjectNode answer = NODES.objectNode().put("status", "healthy").put("title", catalog.profile().title())
                .put("tools", catalog.tools().size()).put("session_ttl", catalog.profile().sessionTtlSeconds());
        catalog.backends().keySet().forEach(answer.putArray("backends")::add);
        return answer;
    }
}

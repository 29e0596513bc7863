package io.envgrid.deviceagent.computer.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.access.ServiceTokenCheck;
import io.envgrid.deviceagent.computer.config.McpServerConfig;
import io.envgrid.deviceagent.computer.config.McpServerInput;
import io.envgrid.deviceagent.computer.hosting.McpServerHost;
import io.envgrid.deviceagent.computer.hosting.ServerStatus;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The A2C-SMCP Computer's management API: its hosted MCP servers and their tools. Every route wants the agent's
 * service token ({@code Authorization: Bearer}), as the other management routes do; without it {@code 401}.
 * Unknown bundle ids are {@code 404 MCP_SERVER_NOT_FOUND}, configs that cannot be hosted {@code 400}.
 */
@Path("/computer")
@Tag(name = "computer")
@Produces(MediaType.APPLICATION_JSON)
public class ComputerResource {

    private final McpServerHost host;
    private final ObjectMapper mapper;
    private final ServiceTokenCheck serviceToken;

    public ComputerResource(McpServerHost host, ObjectMapper mapper, ServiceTokenCheck serviceToken) {
        this.host = host;
        this.serviceToken = serviceToken;
        this.mapper = mapper;
    }

    /** A tool call: arguments, a timeout in seconds (default: the configured one), a key to cancel it by. */
    public record CallRequest(Map<String, Object> arguments, Double timeout,
            @com.fasterxml.jackson.annotation.JsonProperty("req_id") String reqId) {
    }

    @GET
    @Path("config")
    @Operation(summary = "The Computer's config as it may leave the host: {inputs, servers} with placeholders")
    public Map<String, Object> config(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        requireService(authorization);
        return host.publicConfig();
    }

    @GET
    @Path("servers")
    @Operation(summary = "Each hosted MCP server: bundle_id, type, state, starts, last_error, tools")
    public List<ServerStatus> servers(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        requireService(authorization);
        return host.statuses();
    }

    @PUT
    @Path("servers/{bundle_id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Host an MCP server (stdio, streamable, sse) under this bundle id, replacing one")
    public Response put(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("bundle_id") String bundleId, McpServerConfig server) {
        requireService(authorization);
        boolean existed = host.contains(bundleId);
        try {
            host.put(bundleId, server);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        return Response.status(existed ? 200 : 201).entity(Map.of("bundle_id", bundleId)).build();
    }

    @DELETE
    @Path("servers/{bundle_id}")
    @Operation(summary = "Stop and forget a hosted MCP server")
    @APIResponse(responseCode = "404", description = "MCP_SERVER_NOT_FOUND: no hosted MCP server of that bundle id")
    public Response delete(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("bundle_id") String bundleId) {
        onHostedServer(authorization, bundleId, host::remove);
        return Response.noContent().build();
    }

    @POST
    @Path("servers/{bundle_id}/restart")
    @Operation(summary = "Start a hosted MCP server afresh (inputs rendered again)")
    @APIResponse(responseCode = "404", description = "MCP_SERVER_NOT_FOUND: no hosted MCP server of that bundle id")
    public Response restart(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("bundle_id") String bundleId) {
        onHostedServer(authorization, bundleId, host::restart);
        return Response.accepted(Map.of("bundle_id", bundleId)).build();
    }

    @PUT
    @Path("inputs")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace the inputs ${input:<id>} refers to; used at each server's next start")
    public Map<String, Object> inputs(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            List<McpServerInput> inputs) {
        requireService(authorization);
        if (inputs == null || inputs.stream().anyMatch(i -> i == null || i.id() == null || i.id().isBlank())) {
            throw ApiException.badRequest("a list of inputs, each with an id, is required");
        }
        host.replaceInputs(inputs);
        return host.publicConfig();
    }

    @GET
    @Path("tools")
    @Operation(summary = "The exposed tools (A2C-SMCP SMCPTool: {bundle_id}__{alias or tool})")
    public List<Map<String, Object>> tools(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        requireService(authorization);
        return host.tools().stream().map(t -> t.toWire(mapper)).toList();
    }

    @POST
    @Path("tools/{name}/call")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Call an exposed tool; answers the MCP CallToolResult (errors carry meta.error_code)")
    public CompletionStage<Map<String, Object>> call(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("name") String name, CallRequest request) {
        requireService(authorization);
        CallRequest r = request == null ? new CallRequest(null, null, null) : request;
        if (r.timeout() != null && !(r.timeout() > 0)) {
            throw ApiException.badRequest("timeout must be a positive number of seconds");
        }
        Duration timeout = r.timeout() == null ? null : Duration.ofMillis(Math.round(r.timeout() * 1000));
        return host.call(name, r.arguments(), timeout, r.reqId()).thenApply(o -> o.toWire());
    }

    @POST
    @Path("calls/{req_id}/cancel")
    @Operation(summary = "Cancel a running call by its req_id (MCP notifications/cancelled to the server)")
    @APIResponse(responseCode = "404", description = "CALL_NOT_FOUND: no running call of that req_id")
    public Response cancel(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("req_id") String reqId) {
        requireService(authorization);
        if (!host.cancel(reqId, "cancelled by the caller")) {
            throw new ApiException(404, ErrorCode.CALL_NOT_FOUND, "no running call '" + reqId + "'",
                    Map.of("req_id", reqId));
        }
        return Response.accepted(Map.of("req_id", reqId)).build();
    }

    private void requireService(String authorization) {
        if (!serviceToken.presentedIn(authorization)) {
            throw new ApiException(401, ErrorCode.UNAUTHORIZED,
                    "the Computer's routes want the agent's service token (Authorization: Bearer)", Map.of());
        }
    }

    /**
     * Acts on the hosted server {@code bundleId} for a caller with the service token (401 without); {@code action}
     * answers false when no server is hosted under that id, which is 404 {@code MCP_SERVER_NOT_FOUND}.
     */
    private void onHostedServer(String authorization, String bundleId, Predicate<String> action) {
        requireService(authorization);
        if (!action.test(bundleId)) {
            throw new ApiException(404, ErrorCode.MCP_SERVER_NOT_FOUND, "no hosted MCP server '" + bundleId + "'",
                    Map.of("bundle_id", bundleId));
        }
    }
}

package io.envgrid.deviceagent.api;

import io.envgrid.deviceagent.access.Credentials;
import io.envgrid.deviceagent.access.ServiceTokenCheck;
import io.envgrid.deviceagent.tool.ToolDefinition;
import io.envgrid.deviceagent.tool.ToolRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The device tools' routes: the list with input schemas, calls, and the {@code /tools/{name}} shortcuts. */
@Path("/tools")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tools")
@Blocking
public class ToolsResource {

    private final ToolRegistry tools;
    private final ServiceTokenCheck serviceToken;

    public ToolsResource(ToolRegistry tools, ServiceTokenCheck serviceToken) {
        this.tools = tools;
        this.serviceToken = serviceToken;
    }

    @GET
    @Operation(summary = "All tools with name, description and JSON input schema")
    public List<Map<String, Object>> list() {
        return tools.all().stream().map(ToolsResource::describe).toList();
    }

    @POST
    @Path("{name}/call")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Call a tool; the body is its arguments object")
    public Object call(@PathParam("name") String name, Map<String, Object> arguments, @Context HttpHeaders headers) {
        return tools.call(name, arguments, credentials(headers));
    }

    @POST
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Shortcut of POST /tools/{name}/call")
    public Object post(@PathParam("name") String name, Map<String, Object> arguments, @Context HttpHeaders headers) {
        return call(name, arguments, headers);
    }

    @GET
    @Path("{name}")
    @Operation(summary = "Call a tool with its string arguments as query parameters (GET /tools/device.list)")
    public Object get(@PathParam("name") String name, @Context UriInfo uri, @Context HttpHeaders headers) {
        Map<String, Object> arguments = new LinkedHashMap<>();
        uri.getQueryParameters().forEach((key, values) -> arguments.put(key, values.get(0)));
        return tools.call(name, arguments, credentials(headers));
    }

    /** The service token or the lease token the caller sent ({@code X-Envgrid-Lease-Token}), or none. */
    private Credentials credentials(HttpHeaders headers) {
        return Credentials.of(headers.getHeaderString(HttpHeaders.AUTHORIZATION),
                headers.getHeaderString(Credentials.LEASE_TOKEN_HEADER), serviceToken);
    }

    private static Map<String, Object> describe(ToolDefinition tool) {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("name", tool.name());
        description.put("description", tool.description());
        description.put("inputSchema", tool.inputSchema().asJson());
        return description;
    }
}

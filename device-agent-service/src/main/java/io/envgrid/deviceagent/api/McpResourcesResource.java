package io.envgrid.deviceagent.api;

import io.envgrid.deviceagent.resource.ResourcePaths;
import io.envgrid.deviceagent.resource.ResourceTree;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The {@code mcp://test-devices/} resource tree of the device tools over REST. */
@Path("/resources")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "resources")
@Blocking
public class McpResourcesResource {

    private final ResourceTree tree;

    public McpResourcesResource(ResourceTree tree) {
        this.tree = tree;
    }

    @GET
    @Operation(summary = "The root resource with its children")
    public List<Map<String, Object>> list() {
        return List.of(tree.read(ResourceTree.ROOT));
    }

    @GET
    @Path("{uri:.+}")
    @Operation(summary = "One resource, by full URI (mcp://test-devices/devices/android/emulator-5554) or its path; "
            + "an id holding '/' is percent-encoded (devices/linux/rack%2F7)")
    @APIResponse(responseCode = "400", description = "INVALID_ID: a resource path with a '.' or '..' segment")
    @APIResponse(responseCode = "404", description = "DEVICE_NOT_FOUND: no resource of that URI")
    public Map<String, Object> get(@Encoded @PathParam("uri") String uri, @Context HttpServerRequest request) {
        // the routed path has lost its dot segments already: look at what the client sent
        ResourcePaths.refuseDotSegments(request.uri());
        // @Encoded: each segment is decoded once by the tree, so that an encoded '/' inside an id stays in it
        return tree.read(uri);
    }
}

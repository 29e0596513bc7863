package io.envgrid.allocator.api;

import io.envgrid.allocator.auth.Caller;
import io.envgrid.allocator.auth.Principal;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.envgrid.allocator.inventory.InventoryService;
import io.envgrid.allocator.inventory.ResourceView;
import io.envgrid.allocator.inventory.TypeStats;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The inventory: resources register, heart-beat, drain and leave here, each change made as the calling
 * principal ({@link Caller}): owners, drainers and the service token's rights are in {@link InventoryService}.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "inventory")
public class InventoryResource {

    private static final Set<String> STATES = Set.of("free", "leased", "resetting", "draining", "down");

    private final InventoryService inventory;
    private final Caller caller;

    public InventoryResource(InventoryService inventory, Caller caller) {
        this.inventory = inventory;
        this.caller = caller;
    }

    @POST
    @Path("resources")
    @Operation(summary = "Register a resource (201), or update a registered one (200)",
            description = "heartbeat_ttl (seconds) makes the resource turn down when its heartbeats stop. The caller "
                    + "becomes its owner; another principal's registration of it is 403 NOT_RESOURCE_OWNER.")
    @APIResponse(responseCode = "400", description = "INVALID_ID: id, type or a label is missing or outside the id "
            + "rule (details.field); INVALID_PARAMETERS: a value out of range, or an endpoint with a reserved key")
    @APIResponse(responseCode = "403", description = "NOT_RESOURCE_OWNER: the resource is another principal's, or an "
            + "agent token names an id outside its namespace")
    @APIResponse(responseCode = "409", description = "RESOURCE_IN_OTHER_CELL: the id is registered in another cell "
            + "than its type's (details.cell, type_cell); RESOURCE_LEASED: a leased resource cannot change its type")
    public Uni<RestResponse<ResourceView>> register(RegisterRequest request) {
        Validation.requireBody(request);
        request.validate();
        return inventory.register(request, actingOn(request.id())).chain(created -> inventory.get(request.id())
                .map(view -> RestResponse.status(created ? RestResponse.Status.CREATED : RestResponse.Status.OK, view)));
    }

    @GET
    @Path("resources")
    @Operation(summary = "List resources, filtered by type, state and labels (label=key=value, repeatable)")
    @APIResponse(responseCode = "400", description = "INVALID_ID: a type or label filter outside the id rule "
            + "(details.field); INVALID_PARAMETERS: a state filter that is no state")
    public Uni<List<ResourceView>> list(@QueryParam("type") String type, @QueryParam("state") String state,
            @QueryParam("label") List<String> labels, @Context UriInfo uri) {
        Validation.requireFilter(uri, "type", type, Validation::requireType);
        if (state != null && !STATES.contains(state)) {
            throw ApiException.badRequest("'state' must be one of " + STATES);
        }
        Principal me = caller.principal();
        return inventory.list(type, state, labelFilter(labels))
                .map(views -> views.stream().filter(v -> me.sees(v.owner())).toList());
    }

    @GET
    @Path("resources/{id}")
    @Operation(summary = "One resource, with its live lease and last fencing token",
            description = "An agent token sees only its own resources (403 NOT_RESOURCE_OWNER), listings included.")
    @APIResponse(responseCode = "400", description = "INVALID_ID: the id is outside the id rule (details.field)")
    @APIResponse(responseCode = "403", description = "NOT_RESOURCE_OWNER: the resource is another principal's, or an "
            + "agent token names an id outside its namespace")
    @APIResponse(responseCode = "404", description = "RESOURCE_NOT_FOUND: no resource of that id")
    public Uni<ResourceView> get(@PathParam("id") String id) {
        Validation.requireId("id", id);
        Principal me = actingOn(id);
        return inventory.get(id).map(view -> {
            if (!me.sees(view.owner())) {
                throw new ApiException(403, ErrorCode.NOT_RESOURCE_OWNER, "resource '" + id + "' is another principal's",
                        Map.of("resource_id", id));
            }
            return view;
        });
    }

    @PUT
    @Path("resources/{id}/heartbeat")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Heartbeat: keeps a resource with a heartbeat_ttl up, and brings a down one back")
    @APIResponse(responseCode = "400", description = "INVALID_ID: the id is outside the id rule (details.field)")
    @APIResponse(responseCode = "403", description = "NOT_RESOURCE_OWNER: the resource is another principal's, or an "
            + "agent token names an id outside its namespace")
    @APIResponse(responseCode = "404", description = "RESOURCE_NOT_FOUND: no resource of that id")
    public Uni<Map<String, String>> heartbeat(@PathParam("id") String id) {
        Validation.requireId("id", id);
        return inventory.heartbeat(id, actingOn(id)).map(was -> Map.of("id", id, "status", "ok", "previous_health", was));
    }

    @POST
    @Path("resources/{id}/drain")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Drain: no new leases; a current lease runs until released or expired",
            description = "By the owner or the service token; the caller is recorded as drained_by.")
    @APIResponse(responseCode = "400", description = "INVALID_ID: the id is outside the id rule (details.field)")
    @APIResponse(responseCode = "403", description = "NOT_RESOURCE_OWNER: the resource is another principal's, or an "
            + "agent token names an id outside its namespace")
    @APIResponse(responseCode = "404", description = "RESOURCE_NOT_FOUND: no resource of that id")
    public Uni<ResourceView> drain(@PathParam("id") String id) {
        Validation.requireId("id", id);
        return inventory.drain(id, true, actingOn(id));
    }

    @POST
    @Path("resources/{id}/undrain")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Put a drained resource back into service",
            description = "Only by whoever drained it (drained_by) or the service token: 403 NOT_DRAIN_OWNER otherwise.")
    @APIResponse(responseCode = "400", description = "INVALID_ID: the id is outside the id rule (details.field)")
    @APIResponse(responseCode = "403", description = "NOT_DRAIN_OWNER: drained by another principal, and the caller is "
            + "not the service token; NOT_RESOURCE_OWNER: the resource is another principal's, or an agent token names "
            + "an id outside its namespace")
    @APIResponse(responseCode = "404", description = "RESOURCE_NOT_FOUND: no resource of that id")
    public Uni<ResourceView> undrain(@PathParam("id") String id) {
        Validation.requireId("id", id);
        return inventory.drain(id, false, actingOn(id));
    }

    @POST
    @Path("resources/{id}/reset")
    @Operation(summary = "The owner reports the reset after a lease ended: done makes it free, failed takes it down",
            description = "fencing_token is the ended lease's; another one, or a resource not resetting, is 409. "
                    + "Only the resource's owner (the principal that registered it) may report: 403 otherwise.")
    @APIResponse(responseCode = "400", description = "INVALID_ID: the id is outside the id rule (details.field); "
            + "INVALID_PARAMETERS: fencing_token not a positive integer, outcome not done or failed, reason too long")
    @APIResponse(responseCode = "403", description = "NOT_RESOURCE_OWNER: the resource is another principal's, or an "
            + "agent token names an id outside its namespace")
    @APIResponse(responseCode = "404", description = "RESOURCE_NOT_FOUND: no resource of that id")
    @APIResponse(responseCode = "409", description = "NOT_RESETTING: the resource is not resetting; "
            + "STALE_FENCING_TOKEN: fencing_token is not the ended lease's (details.resetting_fencing_token)")
    public Uni<ResourceView> reset(@PathParam("id") String id, ResetRequest request) {
        Validation.requireId("id", id);
        Validation.requireBody(request);
        return inventory.reportReset(id, request.toReport(), actingOn(id));
    }

    @DELETE
    @Path("resources/{id}")
    @Operation(summary = "Remove a resource; a leased or resetting one only with force=true",
            description = "force revokes a lease; a reset that is owed stays owed, so a re-registration starts it "
                    + "again (409 RESOURCE_RESETTING without force). By the owner or the service token.")
    @APIResponse(responseCode = "400", description = "INVALID_ID: the id is outside the id rule (details.field)")
    @APIResponse(responseCode = "403", description = "NOT_RESOURCE_OWNER: the resource is another principal's, or an "
            + "agent token names an id outside its namespace")
    @APIResponse(responseCode = "404", description = "RESOURCE_NOT_FOUND: no resource of that id")
    @APIResponse(responseCode = "409", description = "RESOURCE_LEASED: leased, and force is not true; "
            + "RESOURCE_RESETTING: its reset is owed, and force is not true")
    public Uni<Map<String, String>> delete(@PathParam("id") String id, @QueryParam("force") boolean force) {
        Validation.requireId("id", id);
        return inventory.delete(id, force, actingOn(id)).map(ignored -> Map.of("id", id, "status", "deleted"));
    }

    /**
     * The caller, when it may name resource {@code id} ({@link Principal#mayName}); checked before any Redis call,
     * so a refusal changes nothing.
     *
     * @throws ApiException 403 {@code NOT_RESOURCE_OWNER} (details {@code resource_id}, {@code namespace}) for an
     *                      agent token and an id outside {@code <agent id>:…}
     */
    private Principal actingOn(String id) {
        Principal me = caller.principal();
        if (me instanceof Principal.Agent agent && !agent.mayName(id)) {
            throw new ApiException(403, ErrorCode.NOT_RESOURCE_OWNER, "agent '" + agent.id() + "' may only use resource ids "
                    + "starting with '" + agent.namespace() + "', not '" + id + "'",
                    Map.of("resource_id", id, "namespace", agent.namespace()));
        }
        return me;
    }

    @GET
    @Path("stats")
    @Operation(summary = "Resource counts per type and state")
    public Uni<Map<String, Object>> stats() {
        return inventory.stats().map(byType -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("types", byType);
            body.put("total", byType.values().stream().reduce(TypeStats.empty(), TypeStats::plus));
            return body;
        });
    }

    private static Map<String, String> labelFilter(List<String> labels) {
        Map<String, String> filter = new LinkedHashMap<>();
        for (String label : labels == null ? List.<String>of() : labels) {
            int eq = label.indexOf('=');
            if (eq <= 0) {
                throw ApiException.invalidId("label", "'label' must look like key=value");
            }
            Validation.requireLabel("label", label.substring(0, eq), label.substring(eq + 1));
            filter.put(label.substring(0, eq), label.substring(eq + 1));
        }
        return filter;
    }
}

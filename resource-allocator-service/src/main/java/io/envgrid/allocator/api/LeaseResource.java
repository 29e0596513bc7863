package io.envgrid.allocator.api;

import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.inventory.InventoryService;
import io.envgrid.allocator.inventory.LeaseView;
import io.envgrid.allocator.lease.AllocationService;
import io.envgrid.allocator.lease.ClientLink;
import io.envgrid.allocator.lease.LeaseService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.vertx.ext.web.RoutingContext;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.Cancellable;

/** Allocation, release, renewal and lease listing: the allocator's Resource API (docs/contracts/http-api.md). */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "leases")
public class LeaseResource {

    /**
     * The 403 of a batch release whose part in one cell was refused after another cell had released its part (a
     * lease granted to another worker between the look-up and the scripts): {@code applied} is what was done.
     */
    private static final String PARTLY_RELEASED = """
            {"error": {"code": "NOT_LEASE_HOLDER", "message": "worker 'w1' does not hold [rag-1]; the other ids were \
            applied in their cells (details.applied)", "details": {"resources": ["rag-1"], "worker_id": "w1", \
            "applied": {"vm-1": "released"}}, "timestamp": "2026-11-30T17:00:00Z"}}""";

    /** The same for a renewal: {@code applied} holds the renewals' success answers. */
    private static final String PARTLY_RENEWED = """
            {"error": {"code": "NOT_LEASE_HOLDER", "message": "worker 'w1' does not hold [rag-1]; the other ids were \
            applied in their cells (details.applied)", "details": {"resources": ["rag-1"], "worker_id": "w1", \
            "applied": {"vm-1": {"status": "renewed", "fencing_token": 1, "expires_at": "2026-11-30T18:00:00Z"}}}, \
            "timestamp": "2026-11-30T17:00:00Z"}}""";

    private final AllocationService allocation;
    private final LeaseService leases;
    private final InventoryService inventory;
    private final AllocatorConfig config;

    public LeaseResource(AllocationService allocation, LeaseService leases, InventoryService inventory,
            AllocatorConfig config) {
        this.allocation = allocation;
        this.leases = leases;
        this.inventory = inventory;
        this.config = config;
    }

    @POST
    @Path("allocate")
    @Operation(summary = "Lease all of the requested resource types to a worker, or none",
            description = "409 INSUFFICIENT_RESOURCES with per-type requested/available when the pool is short; "
                    + "wait_ms > 0 queues the request (earlier waiters first) until granted, the wait ends or the client "
                    + "disconnects; a repeated request_id with the same body returns the first answer while all of its "
                    + "leases are live (409 REQUEST_ID_CONFLICT for another worker or body, 409 REQUEST_ID_SETTLED once "
                    + "any of them ended).")
    // Not cancelled by Quarkus when the connection closes: a cancellation could drop the answer of a
    // grant already made in Redis. The ClientLink below ends the wait and gives such grants back.
    @APIResponse(responseCode = "400", description = "INVALID_ID: worker_id or a type is missing or outside the id "
            + "rule (details.field); INVALID_PARAMETERS: timeout or wait_ms out of range, no resource_types, too many "
            + "of them; UNKNOWN_RESOURCE_TYPE: no resource of a requested type is registered; CROSS_CELL_REQUEST: the "
            + "types are served by different cells (details.cells)")
    @APIResponse(responseCode = "409", description = "INSUFFICIENT_RESOURCES: not enough free (details.types.<T>: "
            + "requested, available, queued_ahead); REQUEST_ID_CONFLICT: the request_id was used by another worker or "
            + "with another body; REQUEST_ID_SETTLED: a lease of that request_id ended (details.ended_lease_ids)")
    @Cancellable(false)
    public Uni<RestResponse<Map<String, Map<String, Object>>>> allocate(AllocateRequest request,
            @Context RoutingContext http) {
        Validation.requireBody(request);
        request.validate(config);
        ClientLink client = new ClientLink();
        http.addEndHandler(written -> {
            if (written.succeeded()) {
                client.delivered();
            } else {
                client.clientGone();
            }
        });
        if (http.response().closed()) {
            client.clientGone();
        }
        return allocation.allocate(request, client).map(a -> RestResponse.ResponseBuilder.ok(a.resources())
                .header("X-Envgrid-Replayed", Boolean.toString(a.replayed())).build());
    }

    @POST
    @Path("release")
    @Operation(summary = "Release one resource held by the worker")
    @APIResponse(responseCode = "400", description = "INVALID_ID: worker_id or resource_id is missing or outside the "
            + "id rule (details.field)")
    @APIResponse(responseCode = "403", description = "NOT_LEASE_HOLDER: the live lease is another worker's "
            + "(details.resources); nothing was changed")
    @APIResponse(responseCode = "404", description = "RESOURCE_NOT_FOUND: no resource of that id")
    public Uni<Map<String, Object>> release(ReleaseRequest request) {
        Validation.requireBody(request);
        request.validate();
        return leases.release(request.workerId(), List.of(request.resourceId())).invoke(body -> {
            Map<?, ?> details = (Map<?, ?>) body.get("details");
            if ("not_found".equals(details.get(request.resourceId()))) {
                throw ApiException.notFound(request.resourceId());
            }
        });
    }

    @POST
    @Path("release/batch")
    @Operation(summary = "Release several resources held by the worker; refused if any is held by another worker",
            description = "403 NOT_LEASE_HOLDER names the other worker's ids in details.resources. Refused by the "
                    + "look-up, nothing was changed (details.applied is empty); refused by one cell's script after "
                    + "other cells released their part, details.applied lists those ids as the 200 would have.")
    @APIResponse(responseCode = "403",
            description = "NOT_LEASE_HOLDER: an id is leased to another worker; details.applied: what was done",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "partly released", value = PARTLY_RELEASED)))
    @APIResponse(responseCode = "400", description = "INVALID_ID: worker_id or a resource id is outside the id rule "
            + "(details.field); INVALID_PARAMETERS: resource_ids is empty or has too many entries")
    public Uni<Map<String, Object>> releaseBatch(BatchReleaseRequest request) {
        Validation.requireBody(request);
        request.validate(config);
        return leases.release(request.workerId(), request.resourceIds());
    }

    @POST
    @Path("release/worker")
    @Operation(summary = "Release every lease a worker holds")
    @APIResponse(responseCode = "400", description = "INVALID_ID: worker_id is missing or outside the id rule "
            + "(details.field)")
    public Uni<Map<String, Object>> releaseWorker(WorkerRequest request) {
        Validation.requireBody(request);
        request.validate();
        return leases.releaseAll(request.workerId());
    }

    @POST
    @Path("release/request")
    @Operation(summary = "Settle an allocation by its request_id: release what it granted, or withdraw the request_id",
            description = "For a client that sent POST /allocate but never got a definite answer (5xx, deadline, cut "
                    + "connection). Releases the leases that request_id granted (still held by the worker), or, when "
                    + "nothing was granted yet, withdraws it so the request grants nothing later; either way a replay "
                    + "then answers 409 REQUEST_ID_SETTLED. A lease already past its expiry is reclaimed as an expiry "
                    + "(listed under expired). Idempotent. Another worker's request_id (its saved answer or its "
                    + "allocate still waiting): 409 REQUEST_ID_CONFLICT and nothing changed in any cell.")
    @APIResponse(responseCode = "400", description = "INVALID_ID: worker_id or request_id is missing or outside the id "
            + "rule (details.field)")
    @APIResponse(responseCode = "409", description = "REQUEST_ID_CONFLICT: the request_id is another worker's; nothing "
            + "was changed in any cell")
    public Uni<Map<String, Object>> releaseRequest(RequestReleaseRequest request) {
        Validation.requireBody(request);
        request.validate();
        return leases.releaseRequest(request.workerId(), request.requestId());
    }

    @POST
    @Path("renew")
    @Operation(summary = "Extend the worker's leases (all of them when resource_ids is absent) by timeout seconds from now",
            description = "403 NOT_LEASE_HOLDER as for POST /release/batch: details.applied holds the renewals other "
                    + "cells made before one cell refused (empty: nothing was changed).")
    @APIResponse(responseCode = "403",
            description = "NOT_LEASE_HOLDER: an id is leased to another worker; details.applied: what was done",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "partly renewed", value = PARTLY_RENEWED)))
    @APIResponse(responseCode = "400", description = "INVALID_ID: worker_id or a resource id is outside the id rule "
            + "(details.field); INVALID_PARAMETERS: timeout out of range, or too many resource_ids")
    public Uni<Map<String, Object>> renew(RenewRequest request) {
        Validation.requireBody(request);
        request.validate(config);
        return leases.renew(request.workerId(), request.resourceIds(), request.timeoutSeconds(config));
    }

    @POST
    @Path("leases/verify")
    @Operation(summary = "Check that a lease token is the live lease of a resource",
            description = "The check every service that acts on a resource makes before acting (docs/isolation.md). "
                    + "200 with the live lease; 409 LEASE_NOT_LIVE when the token is not the live lease's (ended, "
                    + "expired, or another grant's); 404 for an unknown resource.")
    @APIResponse(responseCode = "400", description = "INVALID_ID: resource_id is missing or outside the id rule "
            + "(details.field); INVALID_PARAMETERS: lease_token is not a lease token (elt_ and 22 base64url characters)")
    @APIResponse(responseCode = "404", description = "RESOURCE_NOT_FOUND: no resource of that id")
    @APIResponse(responseCode = "409", description = "LEASE_NOT_LIVE: the token is not the live lease's (ended, "
            + "expired, or another grant's)")
    public Uni<Map<String, Object>> verify(VerifyRequest request) {
        Validation.requireBody(request);
        request.validate();
        return leases.verify(request.resourceId(), request.leaseToken());
    }

    @GET
    @Path("leases")
    @Operation(summary = "Live leases, of one worker or of all")
    @APIResponse(responseCode = "400", description = "INVALID_ID: a worker_id filter that is given but outside the id "
            + "rule (details.field)")
    public Uni<List<LeaseView>> leases(@QueryParam("worker_id") String workerId, @Context UriInfo uri) {
        Validation.requireFilter(uri, "worker_id", workerId, Validation::requireId);
        return inventory.leases(workerId);
    }
}

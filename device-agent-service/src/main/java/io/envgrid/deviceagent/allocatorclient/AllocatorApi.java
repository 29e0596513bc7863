package io.envgrid.deviceagent.allocatorclient;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The inventory calls of the resource allocator this agent makes; built by {@link AllocatorClient}. */
@Path("/resources")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface AllocatorApi {

    @POST
    Response register(ResourceRegistration resource);

    @PUT
    @Path("{id}/heartbeat")
    Response heartbeat(@PathParam("id") String id);

    @POST
    @Path("{id}/drain")
    Response drain(@PathParam("id") String id);

    @POST
    @Path("{id}/undrain")
    Response undrain(@PathParam("id") String id);

    @DELETE
    @Path("{id}")
    Response delete(@PathParam("id") String id);

    @GET
    @Path("{id}")
    Response get(@PathParam("id") String id);

    @GET
    Response list(@jakarta.ws.rs.QueryParam("state") String state, @jakarta.ws.rs.QueryParam("label") String label);

    @POST
    @Path("{id}/reset")
    Response reset(@PathParam("id") String id, ResetReport report);
}

package io.envgrid.vmcontroller.api;

import io.envgrid.vmcontroller.session.SessionService;
import io.envgrid.vmcontroller.session.SessionView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * Controller sessions: one per worker and leased VM, opened from the allocator's grant. Path ids are
 * percent-encoded by callers ({@code /} as {@code %2F}) and decoded once here.
 */
@Path("/sessions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SessionResource {

    private final SessionService sessions;

    public SessionResource(SessionService sessions) {
        this.sessions = sessions;
    }

    /** 201 with the new session, or 200 with the live session of the same lease; refusals in {@link SessionService#open}. */
    @POST
    public Response open(CreateSessionRequest request) {
        SessionService.Opened opened = sessions.open(request);
        return Response.status(opened.created() ? 201 : 200).entity(SessionView.of(opened.session())).build();
    }

    /** The session, if its lease is still live and the header carries its token. */
    @GET
    @Path("/{worker_id}/{resource_id}")
    public SessionView get(@PathParam("worker_id") String workerId, @PathParam("resource_id") String resourceId,
            @HeaderParam(SessionService.LEASE_TOKEN_HEADER) String leaseToken) {
        return SessionView.of(sessions.authorize(workerId, resourceId, leaseToken, Optional.empty()));
    }

    /** Closes the session (checked as any call): the answer is the session, {@code state: ended}. */
    @DELETE
    @Path("/{worker_id}/{resource_id}")
    public SessionView end(@PathParam("worker_id") String workerId, @PathParam("resource_id") String resourceId,
            @HeaderParam(SessionService.LEASE_TOKEN_HEADER) String leaseToken) {
        return SessionView.of(sessions.end(workerId, resourceId, leaseToken));
    }
}

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
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Controller sessions: one per worker and leased VM, opened from the allocator's grant. Path ids are
 * percent-encoded by callers ({@code /} as {@code %2F}) and decoded once here.
 */
@Path("/sessions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SessionResource {

    /** What {@code redis/ReplicaAcknowledgement} answers when the replica did not confirm in time. */
    private static final String REPLICATION_TIMEOUT_EXAMPLE = "{\"error\": {\"code\": \"REPLICATION_TIMEOUT\", "
            + "\"message\": \"0 of 1 Redis replicas confirmed the session within 1000 ms; send the same request again\", "
            + "\"details\": {\"acknowledged\": 0, \"required\": 1}, \"timestamp\": \"2026-12-01T19:30:00Z\"}}";

    private final SessionService sessions;

    public SessionResource(SessionService sessions) {
        this.sessions = sessions;
    }

    /** 201 with the new session, or 200 with the live session of the same lease; refusals in {@link SessionService#open}. */
    @POST
    @APIResponse(responseCode = "201", description = "The session opened for this lease",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionView.class)))
    @APIResponse(responseCode = "200", description = "The session of this lease was open already (a repeated request)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_ID: worker_id or the resource's id is outside the id rule; "
            + "INVALID_PARAMETERS: no body or no resource entry, or a resource whose endpoint has no ip and port")
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED: no resource.lease_token, or one that cannot be one")
    @APIResponse(responseCode = "403", description = "NOT_LEASE_HOLDER: the live lease is another worker's")
    @APIResponse(responseCode = "409", description = "LEASE_NOT_LIVE: the lease ended, expired or was granted again; "
            + "STALE_FENCING_TOKEN: a higher fencing token was already seen; SESSION_ENDED: this lease's session was closed")
    @APIResponse(responseCode = "503", description = "REDIS_UNAVAILABLE: the session store cannot be reached; "
            + "REPLICATION_TIMEOUT: with envgrid.vm-controller.redis.wait-replicas on, fewer Redis replicas than required "
            + "confirmed the session in time; the master kept it, so the same request again answers it (200)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    examples = @ExampleObject(name = "replicas behind", value = REPLICATION_TIMEOUT_EXAMPLE)))
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

package io.envgrid.deviceagent.allocator;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The resource allocator's inventory API. Every call has a deadline and a shared circuit breaker;
 * all of them are idempotent (register is an upsert, heartbeat/drain/undrain set a state), so
 * all may be retried. Answers come back as responses: a 404 is information here, not a failure.
 */
@RegisterRestClient(configKey = "allocator")
@Path("/resources")
@Timeout(value = 3, unit = ChronoUnit.SECONDS)
@Retry(maxRetries = 2, delay = 200, delayUnit = ChronoUnit.MILLIS)
@CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS)
public interface AllocatorClient {

    @POST
    Response register(@HeaderParam("Authorization") String authorization, ResourceRegistration resource);

    @PUT
    @Path("{id}/heartbeat")
    Response heartbeat(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    @POST
    @Path("{id}/drain")
    Response drain(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    @POST
    @Path("{id}/undrain")
    Response undrain(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    @DELETE
    @Path("{id}")
    Response delete(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);
}

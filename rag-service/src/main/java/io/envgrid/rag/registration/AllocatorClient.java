package io.envgrid.rag.registration;

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
 * The allocator's inventory calls this service makes. All are idempotent (register is an upsert),
 * so all may be retried; a 404 comes back as an answer, not a failure.
 */
@RegisterRestClient(configKey = "allocator")
@Path("/resources")
@Timeout(value = 3, unit = ChronoUnit.SECONDS)
@Retry(maxRetries = 2, delay = 200, delayUnit = ChronoUnit.MILLIS)
@CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS)
public interface AllocatorClient {

    @POST
    Response register(@HeaderParam("Authorization") String authorization, RagResource resource);

    @PUT
    @Path("{id}/heartbeat")
    Response heartbeat(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    @DELETE
    @Path("{id}")
    Response delete(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);
}

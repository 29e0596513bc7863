package io.envgrid.rag.access;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The allocator's lease reads rag-service makes on a caller's behalf (docs/isolation.md, "Who checks what"). Both
 * are reads, so one retry on no answer; short timeouts and a circuit breaker, so that a dead allocator turns into a
 * quick 503 rather than requests piling up. A 4xx may come as a {@link WebApplicationException}: that is an answer
 * (409 not live, 404 unknown), so it is neither retried nor counted against the allocator.
 */
@RegisterRestClient(configKey = "allocator")
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Timeout(value = 2, unit = ChronoUnit.SECONDS)
@Retry(maxRetries = 1, delay = 50, delayUnit = ChronoUnit.MILLIS, abortOn = WebApplicationException.class)
@CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.8, delay = 2, delayUnit = ChronoUnit.SECONDS,
        skipOn = WebApplicationException.class)
public interface LeaseClient {

    /** {@code {"resource_id","lease_token"}}. */
    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record VerifyRequest(String resourceId, String leaseToken) {
    }

    /** 200 {@link VerifiedLease}, 409 {@code LEASE_NOT_LIVE}, 404 unknown resource. */
    @POST
    @Path("leases/verify")
    Response verify(@HeaderParam("Authorization") String authorization, VerifyRequest request);

    /** 200 the resource (with {@code lease} while leased), 404 unknown. */
    @GET
    @Path("resources/{id}")
    Response resource(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);
}

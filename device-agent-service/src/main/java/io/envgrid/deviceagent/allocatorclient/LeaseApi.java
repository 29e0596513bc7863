package io.envgrid.deviceagent.allocatorclient;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The allocator's lease check ({@code POST /leases/verify}, docs/isolation.md); built by {@link AllocatorClient}. */
@Path("/leases")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface LeaseApi {

    /** The body: {@code {"resource_id","lease_token"}}. */
    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record VerifyRequest(String resourceId, String leaseToken) {
    }

    @POST
    @Path("verify")
    Response verify(VerifyRequest request);
}

package io.envgrid.gateway.sandbox.http;

import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.security.AccessGuard;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The MCP endpoints' access rules on the Sandbox API too (it is the gateway's only REST API):
 * Host and Origin checks, bearer token when tokens are configured; refusals carry the envelope.
 */
public class SandboxAccess {

    private final AccessGuard guard;

    public SandboxAccess(AccessGuard guard) {
        this.guard = guard;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> check(ContainerRequestContext request) {
        return guard.check(request.getHeaderString("Host"), request.getHeaderString("Origin"),
                request.getHeaderString("Authorization")).map(SandboxAccess::refusal);
    }

    static Response refusal(ToolFailure failure) {
        Response.ResponseBuilder response = Response.status(failure.status()).entity(failure.envelope())
                .type("application/json");
        if (failure.status() == 401) {
            response.header("WWW-Authenticate", "Bearer");
        }
        return response.build();
    }
}

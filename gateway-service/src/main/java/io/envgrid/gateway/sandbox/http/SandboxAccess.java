package io.envgrid.gateway.sandbox.http;

import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.security.AccessGuard;
import io.envgrid.gateway.security.Authentication;
import io.envgrid.gateway.security.Principal;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The MCP endpoints' access rules on the gateway's REST API too (the Sandbox API and {@code /admin/…}):
 * Host and Origin checks, bearer token when tokens are configured; refusals carry the envelope.
 * The admitted principal is kept on the request for the resource's entitlement checks.
 */
public class SandboxAccess {

    private static final String PRINCIPAL = "envgrid.principal";

    private final AccessGuard guard;

    public SandboxAccess(AccessGuard guard) {
        this.guard = guard;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> check(ContainerRequestContext request, RoutingContext routing) {
        Authentication outcome = guard.admit(AccessGuard.host(routing.request()), request.getHeaderString("Origin"),
                request.getHeaderString("Authorization"));
        if (outcome instanceof Authentication.Accepted accepted) {
            routing.put(PRINCIPAL, accepted.principal());
            return Optional.empty();
        }
        return Optional.of(refusal(((Authentication.Refused) outcome).failure()));
    }

    /** The principal the filter admitted this request for. */
    public static Principal principal(RoutingContext routing) {
        Principal principal = routing.get(PRINCIPAL);
        if (principal == null) {
            // the filter runs before every resource method; reaching here without it is a wiring fault
            throw new IllegalStateException("request reached the Sandbox API without passing its access filter");
        }
        return principal;
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

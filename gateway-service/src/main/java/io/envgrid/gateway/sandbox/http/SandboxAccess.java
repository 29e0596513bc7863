package io.envgrid.gateway.sandbox.http;

import io.envgrid.gateway.error.RedisOutage;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.security.AccessGuard;
import io.envgrid.gateway.security.Authentication;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.security.RevokedTokens;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The MCP endpoints' access rules on the gateway's REST API too (the Sandbox API and {@code /admin/…}):
 * Host and Origin checks, bearer token when tokens are configured; refusals carry the envelope.
 * The admitted principal is kept on the request for the resource's entitlement checks. A revocable token is also
 * asked of Redis on every request ({@link RevokedTokens#screenStored}), as MCP requests are: this replica's view of the
 * revocations learns one stored without its message only at its next reload, and a revoked token is 401 at once.
 * A Redis outage during that look-up is {@code 503 REDIS_UNAVAILABLE}: refused, retryable.
 */
public class SandboxAccess {

    private static final String PRINCIPAL = "envgrid.principal";

    private final AccessGuard guard;
    private final RevokedTokens revoked;

    public SandboxAccess(AccessGuard guard, RevokedTokens revoked) {
        this.guard = guard;
        this.revoked = revoked;
    }

    /**
     * Admits the request (a null item) or answers its refusal. The Redis look-up comes before the resource runs,
     * not beside its first Redis command as MCP's session read: that command differs per route and may already
     * change something (a session's claim), which a revoked token must not do.
     */
    @ServerRequestFilter(preMatching = true)
    public Uni<Response> check(ContainerRequestContext request, RoutingContext routing) {
        Authentication outcome = guard.admit(AccessGuard.host(routing.request()), request.getHeaderString("Origin"),
                request.getHeaderString("Authorization"));
        return admitted(revoked.screenStored(outcome), routing);
    }

    /**
     * The filter's answer to a screened outcome: null (admitted, the principal kept on {@code routing}) or the refusal.
     * A Redis that cannot be asked now refuses the request with the retryable {@code 503 REDIS_UNAVAILABLE} (fail
     * closed: a revoked token must not pass while Redis is away), not the mapper's 500.
     */
    static Uni<Response> admitted(Uni<Authentication> screening, RoutingContext routing) {
        return screening.map(screened -> {
            if (screened instanceof Authentication.Accepted accepted) {
                routing.put(PRINCIPAL, accepted.principal());
                return null;
            }
            return refusal(((Authentication.Refused) screened).failure());
        }).onFailure(RedisOutage::isOutage).recoverWithItem(e -> refusal(RedisOutage.failure(e)));
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

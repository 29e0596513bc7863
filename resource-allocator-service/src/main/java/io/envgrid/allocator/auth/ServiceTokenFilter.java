package io.envgrid.allocator.auth;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every API call with {@link AccessPolicy} (the service token, an agent token, or nothing in
 * open mode) and leaves the principal in {@link Caller}. Health, metrics and OpenAPI under {@code /q}
 * stay open for probes and scrapers.
 */
public class ServiceTokenFilter {

    private final AccessPolicy policy;
    private final Caller caller;

    public ServiceTokenFilter(AccessPolicy policy, Caller caller) {
        this.policy = policy;
        this.caller = caller;
    }

    @ServerRequestFilter(preMatching = true)
    public void authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/q/")) {
            return;
        }
        caller.set(policy.authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION), path));
    }
}

package io.envgrid.vmcontroller.api;

import io.envgrid.errors.ErrorMappers;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.error.ErrorCode;
import io.envgrid.vmcontroller.session.SessionService;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The front door of every session call ({@code /sessions/{worker_id}/{resource_id}...}): the ids
 * follow the one id rule (400 {@code INVALID_ID}) and a lease token is present (401
 * {@code UNAUTHORIZED}), before any body is read or anything is looked up. The lease itself is
 * checked by {@link SessionService#authorize}.
 */
public class SessionCallFilter {

    /** Runs after matching, so the path's ids are known (decoded once); other routes pass untouched. */
    @ServerRequestFilter
    public Optional<Response> checkIdsAndToken(ContainerRequestContext request) {
        MultivaluedMap<String, String> path = request.getUriInfo().getPathParameters();
        if (!path.containsKey("worker_id") || !path.containsKey("resource_id")) {
            return Optional.empty();
        }
        try {
            Ids.require("worker_id", path.getFirst("worker_id"));
            Ids.require("resource_id", path.getFirst("resource_id"));
        } catch (ApiException e) {
            return Optional.of(ErrorMappers.envelope(e.status(), e.code(), e.getMessage(), e.details()));
        }
        String token = request.getHeaderString(SessionService.LEASE_TOKEN_HEADER);
        if (token == null || token.isBlank()) {
            return Optional.of(ErrorMappers.envelope(401, ErrorCode.UNAUTHORIZED,
                    "header " + SessionService.LEASE_TOKEN_HEADER + " (the lease_token of the allocation entry) is required",
                    Map.of()));
        }
        return Optional.empty();
    }
}

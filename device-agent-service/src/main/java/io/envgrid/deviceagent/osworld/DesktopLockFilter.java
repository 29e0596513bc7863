package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.access.Credentials;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Applies the {@link DesktopLock} to every route of {@link DesktopResource} and {@link SetupResource}, whatever its path, so a route added there
 * later is locked too. Runs after matching, on the worker thread of the (blocking) desktop routes, as the lease check
 * is a blocking call to the allocator.
 */
public class DesktopLockFilter {

    private final DesktopLock lock;

    public DesktopLockFilter(DesktopLock lock) {
        this.lock = lock;
    }

    @ServerRequestFilter
    public Response check(ContainerRequestContext context, SimpleResourceInfo resource) {
        if (resource == null || (resource.getResourceClass() != DesktopResource.class
                && resource.getResourceClass() != SetupResource.class)) {
            return null;
        }
        return lock.check(context.getHeaderString(DesktopRouting.DESKTOP_HEADER),
                context.getHeaderString(HttpHeaders.AUTHORIZATION),
                context.getHeaderString(Credentials.LEASE_TOKEN_HEADER));
    }
}

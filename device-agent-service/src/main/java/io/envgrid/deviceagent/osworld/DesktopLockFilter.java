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
 * <p>
 * It runs only once the whole request body has arrived ({@code readBody = true}, just before the body is
 * deserialised): checked on the headers alone, a worker could send the headers and one byte of body with its live
 * lease token, release the lease, wait until the desktop was reset and granted to someone else, and then send the rest
 * to act on the new holder's desktop.
 */
public class DesktopLockFilter {

    private final DesktopLock lock;

    public DesktopLockFilter(DesktopLock lock) {
        this.lock = lock;
    }

    @ServerRequestFilter(readBody = true)
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

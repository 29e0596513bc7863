package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.access.Credentials;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Refuses early, on the headers alone, the calls to {@link DesktopResource} and {@link SetupResource} (every route,
 * whatever its path, so a route added there later is covered) that can never be let in: no such desktop, one being
 * reset, no credential, a malformed one ({@link DesktopLock#screen}). So such a caller's body is never read (an
 * anonymous upload is not stored).
 * <p>
 * This is not the lease check. That runs where the route acts ({@link DesktopRouting#act}), after its body has been
 * read and bound: a filter does not wait for the body of these blocking routes ({@code readBody = true} did not delay
 * it, as {@code HostileCallerTest} showed), and a worker could otherwise send the headers and a byte of body with its
 * live token, release, and send the rest once the desktop was someone else's.
 */
public class DesktopLockFilter {

    private final DesktopLock lock;
    private final DesktopRouting routing;

    public DesktopLockFilter(DesktopLock lock, DesktopRouting routing) {
        this.lock = lock;
        this.routing = routing;
    }

    @ServerRequestFilter
    public Response screen(ContainerRequestContext context, SimpleResourceInfo resource) {
        if (resource == null || (resource.getResourceClass() != DesktopResource.class
                && resource.getResourceClass() != SetupResource.class)) {
            return null;
        }
        Desktop desktop;
        try {
            desktop = routing.resolve(context.getHeaderString(DesktopRouting.DESKTOP_HEADER));
        } catch (DesktopException unknown) {
            return DesktopResource.refusal(unknown); // no such desktop (404) or one being reset (503)
        }
        return lock.screen(desktop, context.getHeaderString(HttpHeaders.AUTHORIZATION),
                context.getHeaderString(Credentials.LEASE_TOKEN_HEADER));
    }
}

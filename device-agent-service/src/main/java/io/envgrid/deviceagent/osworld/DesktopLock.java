package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.access.Credentials;
import io.envgrid.deviceagent.access.LeaseAccess;
import io.envgrid.deviceagent.allocatorclient.LeaseVerifier;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorMappers;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

/**
 * The lock on the desktop routes (docs/isolation.md, "Device agent"): with {@code envgrid.device-agent.desktop.auth}
 * {@code lease} every call needs the live lease token of this desktop's resource ({@link AgentIdentity#desktopResourceId})
 * or the agent's service token; {@code open} lets anyone in and says so at start. Refusals carry the envgrid error
 * envelope (not OSWorld's error shape): 401, 409 or 503, see {@link LeaseAccess}.
 */
@ApplicationScoped
public class DesktopLock {

    private static final Logger LOG = Logger.getLogger(DesktopLock.class);

    private final DeviceAgentConfig config;
    private final LeaseAccess access;
    private final AgentIdentity identity;
    private final MeterRegistry meters;
    private final DesktopRouting routing;

    public DesktopLock(DeviceAgentConfig config, LeaseAccess access, AgentIdentity identity, MeterRegistry meters,
            DesktopRouting routing) {
        this.routing = routing;
        this.config = config;
        this.access = access;
        this.identity = identity;
        this.meters = meters;
    }

    void announce(@Observes StartupEvent start, LeaseVerifier leases) {
        if (!config.desktop().enabled()) {
            return;
        }
        if (config.desktop().auth() == DeviceAgentConfig.DesktopAuth.OPEN) {
            LOG.warn("*** envgrid.device-agent.desktop.auth=open: the desktop routes (shell, files, input, screen) "
                    + "answer ANY caller without a credential. For local development only. ***");
        } else if (!leases.enabled() && config.serviceToken().isEmpty()) {
            LOG.warn("the desktop routes take a lease token or the service token, but this agent has neither an "
                    + "allocator to check lease tokens with nor a service token: every desktop call is refused");
        } else {
            LOG.infof("desktop routes locked: the live lease token of the desktop's resource (%s, or each hosted "
                    + "desktop's; checked with the allocator on every call) or the service token",
                    identity.desktopResourceId());
        }
    }

    /**
     * @param desktop the {@link DesktopRouting#DESKTOP_HEADER} header or null: the lease checked is that desktop's
     * @param authorization the {@code Authorization} header or null
     * @param leaseToken the {@code X-Envgrid-Lease-Token} header or null
     * @return the refusal to answer with, or null to let the call through
     */
    Response check(String desktop, String authorization, String leaseToken) {
        // read before the state and lease checks, so a reset that begins after them is seen by DesktopRouting.current()
        long generation = routing.generation(desktop);
        String resourceId;
        try {
            resourceId = routing.resolve(desktop).resourceId();
        } catch (DesktopException unknown) {
            return DesktopResource.refusal(unknown); // no such desktop (404) or one being reset (503): nothing to open
        }
        if (config.desktop().auth() == DeviceAgentConfig.DesktopAuth.OPEN) {
            return null;
        }
        try {
            access.requireLease(resourceId, Credentials.of(authorization, leaseToken, config.serviceToken()));
            routing.admitAt(generation);
            return null;
        } catch (ApiException refused) {
            meters.counter("envgrid.desktop.refusals", "code", refused.code()).increment();
            return ErrorMappers.envelope(refused.status(), refused.code(), refused.getMessage(), refused.details());
        }
    }

}

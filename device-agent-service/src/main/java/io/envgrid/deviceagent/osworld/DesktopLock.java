package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.access.Credentials;
import io.envgrid.deviceagent.access.LeaseAccess;
import io.envgrid.deviceagent.access.ServiceTokenCheck;
import io.envgrid.deviceagent.allocatorclient.LeaseVerdict;
import io.envgrid.deviceagent.allocatorclient.LeaseVerifier;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.envgrid.errors.ErrorMappers;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * The lock on the desktop routes (docs/isolation.md, "Device agent"): with {@code envgrid.device-agent.desktop.auth}
 * {@code lease} every call needs the live lease token of this desktop's resource ({@link AgentIdentity#desktopResourceId})
 * or the agent's service token; {@code open} lets anyone in and says so at start. Refusals carry the envgrid error
 * envelope (not OSWorld's error shape): 401, 409 or 503, see {@link LeaseAccess}. Checked twice: what the headers
 * alone decide before the body is read ({@link DesktopLockFilter}), the lease itself when the call acts
 * ({@link DesktopRouting#act}) — or, for a call with a body through a desktop's port, the lease check that port made
 * on the call's head, handed over in this process ({@code fleet/HeadChecks}), so the allocator is asked once per call.
 */
@ApplicationScoped
public class DesktopLock {

    private static final Logger LOG = Logger.getLogger(DesktopLock.class);

    private final DeviceAgentConfig config;
    private final LeaseAccess access;
    private final AgentIdentity identity;
    private final MeterRegistry meters;
    private final ServiceTokenCheck serviceToken;

    public DesktopLock(DeviceAgentConfig config, LeaseAccess access, AgentIdentity identity, MeterRegistry meters,
            ServiceTokenCheck serviceToken) {
        this.config = config;
        this.serviceToken = serviceToken;
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
        } else if (!leases.enabled() && !serviceToken.configured()) {
            LOG.warn("the desktop routes take a lease token or the service token, but this agent has neither an "
                    + "allocator to check lease tokens with nor a service token: every desktop call is refused");
        } else {
            LOG.infof("desktop routes locked: the live lease token of the desktop's resource (%s, or each hosted "
                    + "desktop's; checked with the allocator on every call) or the service token",
                    identity.desktopResourceId());
        }
    }

    /**
     * Refuses, before the request's body is read, a call that cannot be let in whatever its body: no such desktop
     * (404), one being reset (503), no credential, a bearer token that is not the service token, a header that is not
     * a lease token (401). No allocator call: whether a lease token is live is decided when the call acts
     * ({@link #requireLease}), as only then has the whole request arrived.
     *
     * @param desktop the {@link DesktopRouting#DESKTOP_HEADER} header or null
     * @param authorization the {@code Authorization} header or null
     * @param leaseToken the {@code X-Envgrid-Lease-Token} header or null
     * @return the refusal to answer with, or null to read the request on
     */
    Response screen(Desktop desktop, String authorization, String leaseToken) {
        if (config.desktop().auth() == DeviceAgentConfig.DesktopAuth.OPEN) {
            return null;
        }
        try {
            access.requireWellFormed(desktop.resourceId(), credentials(authorization, leaseToken));
            return null;
        } catch (ApiException refused) {
            return refusal(refused);
        }
    }

    /**
     * The lease check of a call about to act on {@code desktop}: the service token, or a lease token the allocator
     * confirms as the live lease of the desktop's resource ({@link LeaseAccess#requireLease}); nothing with
     * {@code desktop.auth=open}. Also made by a desktop's port on the head of a call with a body, before the call
     * takes one of the desktop's call places ({@code fleet/DesktopCallGate}).
     *
     * @return how the call was let in: as the holder of a verified lease ({@link LeaseRecheck} checks that lease again
     *         while the call runs), as a service, or without a check ({@code open})
     * @throws ApiException 401, 409 or 503 with the envelope, counted in {@code envgrid_desktop_refusals_total}
     */
    public LeaseAccess.Grant requireLease(Desktop desktop, String authorization, String leaseToken) {
        if (config.desktop().auth() == DeviceAgentConfig.DesktopAuth.OPEN) {
            return new LeaseAccess.Grant.NotLeased(); // let in without any lease: nothing to check again later
        }
        try {
            return access.requireLease(desktop.resourceId(), credentials(authorization, leaseToken));
        } catch (ApiException refused) {
            count(refused);
            throw refused;
        }
    }

    /**
     * {@link #requireLease} without blocking: the allocator asked through {@code ask} (a non-blocking client's
     * {@code POST /leases/verify}); what a desktop's port checks on a call's head, on its event loop.
     *
     * @return the grant; failed with the refusal (401, 409 or 503), counted as {@link #requireLease} counts it
     */
    public Future<LeaseAccess.Grant> requireLease(Desktop desktop, String authorization, String leaseToken,
            BiFunction<String, String, Future<LeaseVerdict>> ask) {
        if (config.desktop().auth() == DeviceAgentConfig.DesktopAuth.OPEN) {
            return Future.succeededFuture(new LeaseAccess.Grant.NotLeased());
        }
        return access.requireLease(desktop.resourceId(), credentials(authorization, leaseToken), ask)
                .onFailure(failed -> {
                    if (failed instanceof ApiException refused) {
                        count(refused);
                    }
                });
    }

    private Credentials credentials(String authorization, String leaseToken) {
        return Credentials.of(authorization, leaseToken, serviceToken);
    }

    private Response refusal(ApiException refused) {
        count(refused);
        return ErrorMappers.envelope(refused.status(), refused.code(), refused.getMessage(), refused.details());
    }

    private void count(ApiException refused) {
        meters.counter("envgrid.desktop.refusals", "code", refused.code()).increment();
    }
}

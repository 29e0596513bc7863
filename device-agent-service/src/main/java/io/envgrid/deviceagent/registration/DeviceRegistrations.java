package io.envgrid.deviceagent.registration;

import io.envgrid.deviceagent.access.Ids;
import io.envgrid.deviceagent.allocatorclient.ResourceRegistration;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.fleet.AttachedDesktop;
import io.envgrid.deviceagent.fleet.DesktopFleet;
import io.envgrid.deviceagent.fleet.DesktopSpec;
import io.envgrid.deviceagent.fleet.HostDevice;
import io.envgrid.deviceagent.fleet.HostedDesktop;
import io.envgrid.deviceagent.presence.DevicePresence;
import io.envgrid.deviceagent.record.DeviceRecord;
import io.envgrid.deviceagent.record.DeviceStore;
import io.envgrid.deviceagent.x11.XDisplay;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Offers every device attached now (discovered, or connected) as an allocator resource of type
 * {@code device_<type>}, and the desktops it serves: each hosted desktop once it has been reset clean, else the
 * attached display when configured, {@code with reset} once clean where the agent resets it
 * ({@link AttachedDesktop}); a device that is lost or deleted is withdrawn.
 * A borrowed device stays registered but drained, so the allocator grants no lease on it. The host's own
 * {@code linux} device is offered {@code with reset}, once a reset has made it clean, and only where it can be reset
 * ({@link HostDevice}).
 */
@ApplicationScoped
public class DeviceRegistrations {

    private static final Logger LOG = Logger.getLogger(DeviceRegistrations.class);

    private final ResourceRegistrar registrar;
    private final DeviceStore store;
    private final DevicePresence presence;
    private final AgentIdentity identity;
    private final DeviceAgentConfig settings;
    private final XDisplay display;
    private final DesktopFleet fleet;
    private final HostDevice host;
    private final AttachedDesktop attached;
    /** Resource ids outside the id rule, logged once each. */
    private final Set<String> skipped = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public DeviceRegistrations(ResourceRegistrar registrar, DeviceStore store, DevicePresence presence,
            AgentIdentity identity, DeviceAgentConfig settings, XDisplay display, DesktopFleet fleet, HostDevice host,
            AttachedDesktop attached) {
        this.host = host;
        this.attached = attached;
        this.display = display;
        this.fleet = fleet;
        this.registrar = registrar;
        this.store = store;
        this.presence = presence;
        this.identity = identity;
        this.settings = settings;
    }

    @Scheduled(every = "${envgrid.device-agent.registration.heartbeat-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void sync() {
        if (!registrar.enabled()) {
            return;
        }
        URI agentUrl = identity.publicUrl();
        if (agentUrl.getPort() == 0) {
            // started on a random port that is not bound yet: an endpoint with port 0 would be offered
            return;
        }
        Set<String> wanted = new HashSet<>();
        for (DeviceRecord record : store.all()) {
            if (DevicePresence.OFFLINE.equals(presence.of(record.deviceId()))) {
                continue;
            }
            String id = identity.deviceResourceId(record.deviceId());
            if (host.isHost(record.deviceId()) && !host.offerable()) {
                continue; // not resettable here, or not clean yet: withdrawn below if it was offered
            }
            if (!Ids.isValidId(id)) {
                // <agent id>:<device id> over 200 characters: it cannot be leased, so it is not offered
                skipped(id);
                continue;
            }
            wanted.add(id);
            if (record.currentBorrower() != null && !registrar.isDrained(id)) {
                // Borrowed before this agent started, or while its allocator was unreachable. Before the offer, and
                // whether or not this run has registered it: a drain the allocator cannot apply yet (it does not know
                // the resource) is remembered and applied by the registration itself, so no registration offers a
                // borrowed device free. Read again under the drain lock: a return meanwhile must not be followed by a
                // drain nobody lifts.
                drainQuietly(id, record.deviceId());
            }
            registrar.offer(deviceResource(id, record, agentUrl));
        }
        if (fleet.hosting()) {
            for (HostedDesktop hosted : fleet.desktops()) {
                // only once it has been clean: registering makes it free
                if (hosted.cleanOnce() && Ids.isValidId(hosted.spec().resourceId())) {
                    wanted.add(hosted.spec().resourceId());
                    registrar.offer(hostedDesktopResource(hosted.spec(), agentUrl));
                } else if (!Ids.isValidId(hosted.spec().resourceId())) {
                    skipped(hosted.spec().resourceId());
                }
            }
        } else if (settings.desktop().register() && display.name().isPresent()
                && Ids.isValidId(identity.desktopResourceId()) && attached.offerable()) {
            // the attached desktop is offered only while the agent serves one (a display is configured), and only
            // reset between leases, clean since start (or, not resettable here, with desktop.lease-without-reset)
            ResourceRegistration desktop = desktopResource(agentUrl);
            wanted.add(desktop.id());
            registrar.offer(desktop);
        }
        registrar.offeredIds().stream().filter(id -> !wanted.contains(id)).forEach(registrar::withdraw);
    }

    private boolean stillBorrowed(String deviceId) {
        try {
            return store.get(deviceId).currentBorrower() != null;
        } catch (io.envgrid.deviceagent.error.ApiException deleted) {
            return false;
        }
    }

    private void skipped(String id) {
        if (skipped.add(id)) {
            LOG.warnf("not offering %s to the allocator: the resource id is outside the id rule", id);
        }
    }

    private void drainQuietly(String id, String deviceId) {
        try {
            registrar.drainIf(id, () -> stillBorrowed(deviceId));
        } catch (RuntimeException e) {
            LOG.warnf("cannot drain borrowed %s, trying again next heartbeat: %s", id, e.getMessage());
        }
    }

    private ResourceRegistration deviceResource(String id, DeviceRecord record, URI agentUrl) {
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("agent_url", agentUrl.toString());
        endpoint.put("device_id", record.deviceId());
        endpoint.put("device_type", record.type());
        // the host device runs workers' code: the allocator holds it resetting after every lease (fleet/HostDevice)
        Boolean reset = host.isHost(record.deviceId()) && host.resetsBetweenLeases() ? Boolean.TRUE : null;
        return new ResourceRegistration(id, "device_" + record.type(), endpoint, labels(),
                settings.registration().heartbeatTtlSeconds(), reset);
    }

    /**
     * A hosted desktop: OSWorld's {@code {ip, port}} with its own port, and {@code reset: true}, so the allocator holds
     * it {@code resetting} after every lease until this agent has reset it (fleet/DesktopResets).
     */
    private ResourceRegistration hostedDesktopResource(DesktopSpec spec, URI agentUrl) {
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("ip", agentUrl.getHost());
        endpoint.put("port", spec.port());
        return new ResourceRegistration(spec.resourceId(), settings.desktop().resourceType(), endpoint, labels(),
                settings.registration().heartbeatTtlSeconds(), true);
    }

    /** OSWorld's shape {ip, port}: the desktop endpoint is served on this agent's own HTTP address. */
    private ResourceRegistration desktopResource(URI agentUrl) {
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("ip", agentUrl.getHost());
        endpoint.put("port", agentUrl.getPort() < 0 ? 80 : agentUrl.getPort());
        // No static token in the endpoint: the desktop takes the lease token of the grant (docs/isolation.md).
        // With reset where the agent resets it (fleet/AttachedDesktop): the allocator holds it resetting after a lease.
        return new ResourceRegistration(identity.desktopResourceId(), settings.desktop().resourceType(), endpoint, labels(),
                settings.registration().heartbeatTtlSeconds(), attached.resetsBetweenLeases() ? Boolean.TRUE : null);
    }

    private Map<String, String> labels() {
        return Map.of("agent", identity.agentId());
    }
}

package io.envgrid.deviceagent.lending;

import io.envgrid.deviceagent.allocatorclient.AllocatorResource;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.envgrid.deviceagent.registration.ResourceRegistrar;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Keeps {@code device.borrow} and allocator leases apart. A borrow first drains the device's resource, so no new
 * lease can be granted, and only then reads whether a lease exists: there is no moment in which both a lease
 * and a borrow can start. A device with a lease is refused and undrained again; a return undrains it.
 * Without an allocator (registration off) nothing can be leased, so every borrow passes. With one, the allocator is
 * always asked, whether or not this run of the agent has registered the device: its record and a lease on it outlive
 * the agent (a restart, an allocator unreachable at start), so "not registered here" says nothing about a lease. Only
 * a device the allocator answers 404 for passes (its drain is remembered and applied when it is registered); no
 * answer is a 503 with nothing changed.
 */
@ApplicationScoped
public class DeviceLeaseGuard {

    private static final Logger LOG = Logger.getLogger(DeviceLeaseGuard.class);

    private final ResourceRegistrar registrar;
    private final AgentIdentity identity;
    private final OperatorDrains operatorDrains;

    public DeviceLeaseGuard(ResourceRegistrar registrar, AgentIdentity identity, OperatorDrains operatorDrains) {
        this.operatorDrains = operatorDrains;
        this.registrar = registrar;
        this.identity = identity;
    }

    /** Called under the device's lock before a borrow is written; throws when the allocator has it leased. */
    public void claimForBorrow(String deviceId) {
        String id = identity.deviceResourceId(deviceId);
        if (!registrar.enabled()) {
            return;
        }
        Optional<AllocatorResource> before;
        try {
            before = registrar.lookup(id);
        } catch (RuntimeException e) {
            throw unavailable(deviceId, id, e); // nothing changed yet
        }
        before.filter(r -> r.lease() != null).ifPresent(r -> {
            throw leased(deviceId, id, r);
        });
        // drained already, and not by this agent: an operator's drain, which neither a refusal nor the return undoes
        boolean operators = before.map(r -> "draining".equals(r.admin())).orElse(false) && !registrar.isDrained(id);
        try {
            // a resource the allocator does not know is drained as soon as it is registered (ResourceRegistrar)
            registrar.drain(id);
            AllocatorResource resource = registrar.lookup(id).orElse(null);
            if (resource != null && resource.lease() != null) {
                if (operators) {
                    registrar.forgetDrain(id); // the operator's, not to be re-applied as the agent's
                } else {
                    registrar.undrain(id);
                }
                throw leased(deviceId, id, resource);
            }
            if (operators) {
                operatorDrains.remember(id);
            }
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            if (operators) {
                registrar.forgetDrain(id);
            } else {
                undrainQuietly(id);
            }
            throw unavailable(deviceId, id, e);
        }
    }

    private static ApiException leased(String deviceId, String id, AllocatorResource resource) {
        return new ApiException(409, ErrorCode.DEVICE_ALREADY_BORROWED,
                "device '" + deviceId + "' is leased through the allocator to " + resource.lease().workerId(),
                Map.of("device_id", deviceId, "resource_id", id, "worker_id", resource.lease().workerId()));
    }

    private static ApiException unavailable(String deviceId, String id, RuntimeException e) {
        return new ApiException(503, ErrorCode.ALLOCATOR_UNAVAILABLE,
                "cannot check the allocator for a lease on '" + deviceId + "': " + e.getMessage(),
                Map.of("device_id", deviceId, "resource_id", id));
    }

    /**
     * The borrow was not written after all, or the device was returned: leases may be granted again, unless an
     * operator had drained the device before the borrow ({@link OperatorDrains}).
     */
    public void release(String deviceId) {
        String id = identity.deviceResourceId(deviceId);
        if (operatorDrains.forget(id)) {
            registrar.forgetDrain(id); // the drain stays the operator's: not re-applied as the agent's own
            return;
        }
        if (registrar.enabled()) {
            // also when not offered: a borrow of a resource the allocator did not know left its drain remembered, to
            // be applied at registration (undrain asks the allocator only for an offered one)
            undrainQuietly(id);
        }
    }

    private void undrainQuietly(String id) {
        try {
            registrar.undrain(id);
        } catch (RuntimeException e) {
            // Left drained: no lease is granted on a device that is free, the safe side of the failure.
            LOG.warnf("cannot undrain %s: %s", id, e.getMessage());
        }
    }
}

package io.envgrid.deviceagent.lending;

import io.envgrid.deviceagent.allocatorclient.AllocatorResource;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.envgrid.deviceagent.registration.ResourceRegistrar;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Keeps {@code device.borrow} and allocator leases apart. A borrow first drains the device's resource, so no new
 * lease can be granted, and only then reads whether a lease exists: there is no moment in which both a lease
 * and a borrow can start. A device with a lease is refused and undrained again; a return undrains it.
 * Devices the allocator has not registered (registration off, or not yet done) cannot be leased, so they pass.
 */
@ApplicationScoped
public class DeviceLeaseGuard {

    private static final Logger LOG = Logger.getLogger(DeviceLeaseGuard.class);

    private final ResourceRegistrar registrar;
    private final AgentIdentity identity;

    public DeviceLeaseGuard(ResourceRegistrar registrar, AgentIdentity identity) {
        this.registrar = registrar;
        this.identity = identity;
    }

    /** Called under the device's lock before a borrow is written; throws when the allocator has it leased. */
    public void claimForBorrow(String deviceId) {
        String id = identity.deviceResourceId(deviceId);
        if (!registrar.isRegistered(id)) {
            return;
        }
        try {
            registrar.drain(id);
            AllocatorResource resource = registrar.lookup(id).orElse(null);
            if (resource != null && resource.lease() != null) {
                registrar.undrain(id);
                throw new ApiException(409, ErrorCode.DEVICE_ALREADY_BORROWED,
                        "device '" + deviceId + "' is leased through the allocator to " + resource.lease().workerId(),
                        Map.of("device_id", deviceId, "resource_id", id, "worker_id", resource.lease().workerId()));
            }
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            undrainQuietly(id);
            throw new ApiException(503, ErrorCode.ALLOCATOR_UNAVAILABLE,
                    "cannot check the allocator for a lease on '" + deviceId + "': " + e.getMessage(),
                    Map.of("device_id", deviceId, "resource_id", id));
        }
    }

    /** The borrow was not written after all, or the device was returned: leases may be granted again. */
    public void release(String deviceId) {
        String id = identity.deviceResourceId(deviceId);
        if (registrar.enabled() && registrar.offeredIds().contains(id)) {
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

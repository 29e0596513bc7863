package io.envgrid.deviceagent.registration;

import io.envgrid.deviceagent.allocatorclient.AllocatorClient;
import io.envgrid.deviceagent.allocatorclient.AllocatorResource;
import io.envgrid.deviceagent.allocatorclient.AllocatorSettings;
import io.envgrid.deviceagent.allocatorclient.ResourceRegistration;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keeps the allocator's view of this agent's resources: registers what is offered, heart-beats it, registers it
 * again when the allocator has forgotten it (a heartbeat answered 404, e.g. after a Redis restart) and re-applies
 * a drain that was lost with it. A resource withdrawn is deleted; on agent stop nothing is deleted, so the
 * allocator marks the resources down once their heartbeat TTL has passed, and a current lease is not revoked.
 */
@ApplicationScoped
public class ResourceRegistrar {

    private static final Logger LOG = Logger.getLogger(ResourceRegistrar.class);

    private final AllocatorClient allocator;
    private final AllocatorSettings settings;
    private final Map<String, ResourceRegistration> offered = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final Set<String> drained = ConcurrentHashMap.newKeySet();
    private final java.util.Map<String, Object> drainLocks = new ConcurrentHashMap<>();
    /**
     * Resources whose last reset failed ({@link #holdBack}): not registered again until a reset comes out clean, so an
     * allocator that forgot one cannot take it back {@code free}.
     */
    private final Set<String> heldBack = ConcurrentHashMap.newKeySet();
    /** Resources whose last allocator call failed, so that a persistent failure is logged once, not every beat. */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    public ResourceRegistrar(AllocatorClient allocator, AllocatorSettings settings) {
        this.allocator = allocator;
        this.settings = settings;
    }

    void announce(@Observes StartupEvent start) {
        if (enabled()) {
            LOG.infof("registering resources with the allocator at %s", settings.url().orElseThrow());
        } else {
            LOG.info("allocator registration is off: envgrid.allocator.url (ENVGRID_ALLOCATOR_URL) is not set");
        }
    }

    public boolean enabled() {
        return settings.url().isPresent();
    }

    /** Offers a resource, or changes what is offered; registered now if the allocator answers, else on the next beat. */
    public void offer(ResourceRegistration resource) {
        if (!enabled()) {
            return;
        }
        ResourceRegistration previous = offered.put(resource.id(), resource);
        if (!resource.equals(previous) || !registered.contains(resource.id())) {
            registered.remove(resource.id());
            register(resource);
        }
    }

    /**
     * Holds a resource back from (re-)registration while its last reset failed ({@code unclean} true), or lets it be
     * registered again ({@code false}, a reset came out clean). A resource whose reset failed is {@code down} in the
     * allocator with the reset owed; if the allocator forgets it (its Redis emptied: the heartbeat answers 404) a
     * registration would bring it back {@code free} though nothing reset it. Heartbeats of a registered one go on.
     */
    public void holdBack(String id, boolean unclean) {
        if (unclean) {
            if (heldBack.add(id)) {
                LOG.debugf("%s is not registered again until a reset of it succeeds", id);
            }
        } else {
            heldBack.remove(id);
        }
    }

    /**
     * Registers an offered resource again now, even if the allocator has it: for a desktop the allocator holds
     * {@code down} after a failed reset, a registration starts the owed reset again (allocator README, "Resetting
     * between leases"). False when it is not offered (yet) or the allocator could not be asked (the next beat tries).
     */
    public boolean registerAgain(String id) {
        ResourceRegistration resource = offered.get(id);
        if (resource == null || !enabled()) {
            return false;
        }
        registered.remove(id);
        register(resource);
        return registered.contains(id);
    }

    /** Stops offering a resource and deletes it; one still leased stays until its heartbeat TTL marks it down. */
    public void withdraw(String id) {
        if (offered.remove(id) == null) {
            return;
        }
        registered.remove(id);
        drained.remove(id);
        try {
            int status = allocator.delete(id);
            if (status == 409) {
                LOG.infof("%s is leased; the allocator keeps it until its heartbeat TTL passes", id);
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot delete %s from the allocator (its heartbeat TTL will mark it down): %s", id,
                    e.getMessage());
        }
    }

    public Set<String> offeredIds() {
        return Set.copyOf(offered.keySet());
    }

    /** Whether the allocator has this resource, so that a lease on it is possible. */
    public boolean isRegistered(String id) {
        return registered.contains(id);
    }

    public boolean isDrained(String id) {
        return drained.contains(id);
    }

    /** No new leases on the resource; remembered, so that a re-registration drains it again. */
    public void drain(String id) {
        synchronized (drainLock(id)) {
            drained.add(id);
            try {
                if (!allocator.drain(id)) {
                    registered.remove(id);
                }
            } catch (RuntimeException e) {
                drained.remove(id);
                throw e;
            }
        }
    }

    /**
     * Drains {@code id} if {@code stillWanted} holds when read under the resource's drain lock: a return that clears the
     * borrower and then undrains can no longer fall between the caller's check and its drain (a heartbeat that had read
     * "borrowed" just before a return drained the returned device for good).
     */
    public void drainIf(String id, java.util.function.BooleanSupplier stillWanted) {
        synchronized (drainLock(id)) {
            if (stillWanted.getAsBoolean()) {
                drain(id);
            }
        }
    }

    /** The drain of {@code id} is not this agent's (an operator's): leave it in the allocator, stop re-applying it. */
    public void forgetDrain(String id) {
        synchronized (drainLock(id)) {
            drained.remove(id);
        }
    }

    public void undrain(String id) {
        synchronized (drainLock(id)) {
            drained.remove(id);
            // offered, not only registered: offer() re-registers a changed record (a borrow changes it) and is briefly
            // not "registered" meanwhile; an undrain skipped then left the returned device draining for good
            if (offered.containsKey(id) && !allocator.undrain(id)) {
                registered.remove(id);
            }
        }
    }

    /**
     * Serialises the drain flag's changes with a re-registration's re-drain of the same resource: without it a
     * registration (discovery or heartbeat thread) that read the flag just before a return undrained would drain after
     * it, and the returned device stayed drained for good (seen under load in AllocatorRegistrationTest).
     */
    private Object drainLock(String id) {
        return drainLocks.computeIfAbsent(id, key -> new Object());
    }

    public Optional<AllocatorResource> lookup(String id) {
        return allocator.get(id);
    }

    @Scheduled(every = "${envgrid.device-agent.registration.heartbeat-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void beat() {
        if (!enabled()) {
            return;
        }
        for (ResourceRegistration resource : offered.values()) {
            if (!registered.contains(resource.id())) {
                register(resource);
                continue;
            }
            try {
                if (!allocator.heartbeat(resource.id())) {
                    LOG.infof(heldBack.contains(resource.id()) ? "the allocator forgot %s; registered again once a "
                            + "reset of it succeeds" : "the allocator forgot %s; registering it again", resource.id());
                    registered.remove(resource.id());
                    register(resource);
                } else {
                    recovered(resource.id());
                }
            } catch (RuntimeException e) {
                failed(resource.id(), "heartbeat", e);
            }
        }
    }

    private void register(ResourceRegistration resource) {
        if (heldBack.contains(resource.id())) {
            return; // not clean: registered by registerAgain once a reset succeeded
        }
        try {
            allocator.register(resource);
            synchronized (drainLock(resource.id())) {
                if (drained.contains(resource.id())) {
                    allocator.drain(resource.id());
                }
            }
            // Withdrawn while the call ran: leave nothing behind.
            if (!offered.containsKey(resource.id())) {
                allocator.delete(resource.id());
                return;
            }
            registered.add(resource.id());
            recovered(resource.id());
            LOG.debugf("registered %s as %s", resource.id(), resource.type());
        } catch (RuntimeException e) {
            failed(resource.id(), "registration", e);
        }
    }

    private void recovered(String id) {
        if (failing.remove(id)) {
            LOG.infof("the allocator answers again for %s", id);
        }
    }

    private void failed(String id, String what, RuntimeException e) {
        if (failing.add(id)) {
            LOG.warnf("%s of %s failed, retrying every heartbeat: %s", what, id, e.getMessage());
        }
    }
}

package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.allocatorclient.AllocatorClient;
import io.envgrid.deviceagent.allocatorclient.AllocatorResource;
import io.envgrid.deviceagent.allocatorclient.ResetReport;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.envgrid.deviceagent.registration.ResourceRegistrar;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Resets the hosted desktops (and the host device, {@link HostDevice}, and the attached desktop,
 * {@link AttachedDesktop}) the allocator holds in state {@code resetting}
 * and reports each back with the fencing
 * token of the lease that ended. One loop, on its own thread, off every claim path: each round lists this agent's
 * resources in state {@code resetting} ({@code GET /resources?state=resetting&label=agent=<agent id>}), resets those
 * that are its desktops at once (a thread each), reports {@code done} or {@code failed} with the reason, and then waits
 * for the next round: {@code envgrid.device-agent.desktops.reconcile-interval}, or less when {@link #wake()} is called
 * (a lease channel message, {@link LeaseChannel}). The listing is the truth, a message only a hint: a lost message
 * delays a reset by one interval, never skips it. Because a round lists only after the previous round's reports, a
 * listing is never older than the last report, so a desktop is never reset again after it was handed back (and
 * perhaps granted to the next worker). A desktop whose reset failed is reset again after a backoff
 * ({@link ResetRetries}) and, once clean, registered again so that the allocator asks for the reset it still owes.
 * The host device's and the attached desktop's failed resets are retried the same way, with the same backoff and limit.
 * While a reset has failed, the registrar does not register the resource again on its own
 * ({@link ResourceRegistrar#holdBack}): an allocator that forgot it (its Redis emptied) would take it back free,
 * unreset; the retry that comes out clean registers it.
 */
@ApplicationScoped
public class DesktopResets {

    private static final Logger LOG = Logger.getLogger(DesktopResets.class);

    private final DesktopFleet fleet;
    private final HostDevice host;
    private final AttachedDesktop attached;
    private final AllocatorClient allocator;
    private final ResourceRegistrar registrar;
    private final AgentIdentity identity;
    private final Duration interval;
    private final MeterRegistry meters;
    private final Semaphore wake = new Semaphore(0);
    private final ResetRetries<HostedDesktop> retries;
    /** The host device's and the attached desktop's failed resets. */
    private final ResetRetries<UidResource> uidRetries;
    private final Event<HostDeviceClean> hostClean;
    private volatile Thread loop;
    /** Set at shutdown: an interrupt alone can be swallowed by a call the loop is in (a REST client's). */
    private volatile boolean stopping;
    /** Whether the allocator could not be asked in the last round, so that an outage is logged once. */
    private boolean failing;

    public DesktopResets(DesktopFleet fleet, HostDevice host, AttachedDesktop attached, AllocatorClient allocator,
            ResourceRegistrar registrar, AgentIdentity identity, DeviceAgentConfig config, MeterRegistry meters,
            Event<HostDeviceClean> hostClean) {
        this.attached = attached;
        this.hostClean = hostClean;
        this.fleet = fleet;
        this.host = host;
        this.allocator = allocator;
        this.registrar = registrar;
        this.identity = identity;
        this.interval = config.desktops().reconcileInterval();
        this.meters = meters;
        DeviceAgentConfig.Desktops settings = config.desktops();
        this.retries = new ResetRetries<>(settings.resetRetryBackoff(), settings.resetRetryMaxBackoff(),
                settings.resetRetries());
        this.uidRetries = new ResetRetries<>(settings.resetRetryBackoff(), settings.resetRetryMaxBackoff(),
                settings.resetRetries());
    }

    void start(@Observes StartupEvent start) {
        if (!fleet.hosting() && uidResources().isEmpty()) {
            return;
        }
        loop = new Thread(this::run, "desktop-resets");
        loop.setDaemon(true);
        loop.start();
    }

    void stop(@Observes ShutdownEvent stop) {
        stopping = true;
        Thread running = loop;
        if (running != null) {
            running.interrupt();
        }
    }

    /** Starts the next round now (a lease channel message said a desktop of this agent is resetting). */
    public void wake() {
        wake.release();
    }

    private void run() {
        for (UidResource resource : uidResources()) {
            ResetOutcome outcome = resource.reset();
            followUp(uidRetries, resource, resource.resourceId(), outcome);
            if (outcome instanceof ResetOutcome.Failed failed) {
                // a previous agent's holder may have left processes and files: not offered until a reset succeeds
                LOG.errorf("%s could not be reset and is not offered until a retry succeeds: %s",
                        resource.resourceId(), failed.reason());
            }
        }
        // the first reset brings every desktop up from nothing; only then is it offered to the allocator
        List<ResetOutcome> first = fleet.resetAll();
        for (int i = 0; i < first.size(); i++) {
            HostedDesktop desktop = fleet.desktops().get(i);
            followUp(retries, desktop, desktop.spec().resourceId(), first.get(i));
            if (first.get(i) instanceof ResetOutcome.Failed failed) {
                LOG.errorf("desktop %s could not be started and is not offered until a retry succeeds: %s",
                        fleet.desktops().get(i).spec().resourceId(), failed.reason());
            }
        }
        if (fleet.hosting()) {
            LOG.infof("hosting %d desktops (%d up)", fleet.size(),
                    first.stream().filter(ResetOutcome.Done.class::isInstance).count());
        }
        // Only shutdown ends the loop. An interrupt that is not shutdown's (the fault-tolerance timeout of an
        // allocator call interrupts the thread that made it) and a failure of one round are logged and the next round
        // runs: a loop that ended any other way would leave every later reset undone, each device down for good.
        while (!stopping) {
            try {
                round();
                retryDue();
            } catch (RuntimeException e) {
                LOG.errorf(e, "a round of resets failed; the next one runs in %d ms", interval.toMillis());
            }
            Duration untilRetry = earlier(retries.untilNext(System.nanoTime()), uidRetries.untilNext(System.nanoTime()));
            Duration wait = untilRetry != null && untilRetry.compareTo(interval) < 0 ? untilRetry : interval;
            try {
                if (wake.tryAcquire(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS)) {
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                if (!stopping) {
                    LOG.warn("the reset loop was interrupted outside shutdown; it goes on");
                }
            }
        }
    }

    /** One round: list, reset, report. Package-private for tests that drive rounds themselves. */
    void round() {
        if (!registrar.enabled()) {
            return;
        }
        List<AllocatorResource> resetting;
        try {
            resetting = allocator.resetting(identity.agentId());
            if (failing) {
                LOG.info("the allocator answers again; desktop resets resume");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warnf("cannot list resetting desktops, retrying every %d ms: %s", interval.toMillis(), e.getMessage());
                failing = true;
            }
            return;
        }
        List<HostedDesktop> desktops = new ArrayList<>();
        List<AllocatorResource> listed = new ArrayList<>();
        for (AllocatorResource resource : resetting) {
            Optional<HostedDesktop> hosted = fleet.byResourceId(resource.id());
            if (hosted.isPresent()) {
                desktops.add(hosted.get());
                listed.add(resource);
            } else {
                for (UidResource own : uidResources()) {
                    if (own.ownsResource(resource.id())) {
                        ResetOutcome outcome = own.reset();
                        report(resource, outcome);
                        followUp(uidRetries, own, resource.id(), outcome);
                    }
                }
            }
        }
        if (desktops.isEmpty()) {
            return;
        }
        List<ResetOutcome> outcomes = fleet.reset(desktops);
        for (int i = 0; i < outcomes.size(); i++) {
            report(listed.get(i), outcomes.get(i));
            followUp(retries, desktops.get(i), listed.get(i).id(), outcomes.get(i));
        }
    }

    /**
     * Resets again the desktops (and the host device) whose last reset failed and whose backoff has passed
     * (package-private for tests). One that comes out clean is registered again: the allocator, which holds it
     * {@code down} with its reset owed, then has it {@code resetting} again and announces it, and the next round resets
     * it once more and reports it {@code done} — the allocator frees a resource only on the report of the reset it
     * asked for. One never offered (its first reset failed) is offered by the next registration sync instead.
     */
    void retryDue() {
        if (stopping) {
            return;
        }
        List<HostedDesktop> due = retries.due(System.nanoTime());
        List<ResetOutcome> outcomes = due.isEmpty() ? List.of() : fleet.reset(due);
        for (int i = 0; i < due.size(); i++) {
            retried(retries, due.get(i), due.get(i).spec().resourceId(), outcomes.get(i));
        }
        for (UidResource resource : uidRetries.due(System.nanoTime())) {
            ResetOutcome outcome = resource.reset();
            retried(uidRetries, resource, resource.resourceId(), outcome);
            if (outcome instanceof ResetOutcome.Done && resource == host) {
                hostClean.fire(new HostDeviceClean(host.deviceId()));
            }
        }
    }

    /**
     * Whether returning the borrowed device {@code deviceId} resets it ({@link #resetReturned()}): the host device,
     * when it is reset between leases (the agent is root and registers with the allocator).
     */
    public boolean resetsOnReturn(String deviceId) {
        return host.isHost(deviceId) && resetsHost();
    }

    /**
     * Resets the host device at the end of a borrow ({@code device.return}) as at the end of a lease, so the next
     * holder, leased or borrowing, finds nothing of the borrower's. A failure leaves its gate closed and is retried as
     * after a lease; the retry that comes out clean fires {@link HostDeviceClean}.
     */
    public ResetOutcome resetReturned() {
        ResetOutcome outcome = host.reset();
        followUp(uidRetries, host, host.resourceId(), outcome);
        wake(); // the loop's wait may be longer than the first retry's backoff
        return outcome;
    }

    private <K> void retried(ResetRetries<K> pending, K resettable, String resourceId, ResetOutcome outcome) {
        meters.counter("envgrid.desktop.reset.retries", "outcome",
                outcome instanceof ResetOutcome.Done ? "done" : "failed").increment();
        followUp(pending, resettable, resourceId, outcome);
        if (outcome instanceof ResetOutcome.Done) {
            boolean registered = registrar.registerAgain(resourceId);
            LOG.infof("%s is clean again after failed resets; %s", resourceId,
                    registered ? "registered again to finish its owed reset" : "offered at the next registration");
        }
    }

    private static Duration earlier(Duration a, Duration b) {
        return a == null ? b : b == null || a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Whether the host device is leased through the allocator with a reset: without registration nobody leases it, and
     * its gate must not close under a service-token caller for a reset nobody asked for.
     */
    private boolean resetsHost() {
        return host.resetsBetweenLeases() && registrar.enabled();
    }

    /** The host device and the attached desktop, those of them this agent resets between leases. */
    private List<UidResource> uidResources() {
        List<UidResource> resources = new ArrayList<>(2);
        if (resetsHost()) {
            resources.add(host);
        }
        if (attached.resetsBetweenLeases()) {
            resources.add(attached);
        }
        return resources;
    }

    /** Records an outcome and schedules (or forgets) the retries of what was reset. */
    private <K> void followUp(ResetRetries<K> pending, K resettable, String resourceId, ResetOutcome outcome) {
        record(outcome);
        if (outcome instanceof ResetOutcome.Done) {
            registrar.holdBack(resourceId, false);
            pending.succeeded(resettable);
            return;
        }
        registrar.holdBack(resourceId, true);
        ResetRetries.Next next = pending.failed(resettable, System.nanoTime());
        if (next instanceof ResetRetries.Next.Retry retry) {
            LOG.infof("%s: reset again in %d ms (retry %d)", resourceId, retry.after().toMillis(), retry.retry());
        } else if (next instanceof ResetRetries.Next.GivenUp givenUp) {
            meters.counter("envgrid.desktop.reset.given.up").increment();
            LOG.errorf("%s: %d resets in a row failed; it stays down until the agent restarts", resourceId,
                    givenUp.failures());
        }
    }

    private void report(AllocatorResource resource, ResetOutcome outcome) {
        ResetReport report = outcome instanceof ResetOutcome.Failed failed
                ? ResetReport.failed(resource.fencingToken(), failed.reason())
                : ResetReport.done(resource.fencingToken());
        try {
            int status = allocator.reportReset(resource.id(), report);
            if (status >= 300) {
                // 409: the allocator no longer waits for this reset (deadline passed, re-registered): nothing to hand back
                LOG.infof("reset report %s of %s (fencing token %d) answered %d", report.outcome(), resource.id(),
                        resource.fencingToken(), status);
            }
        } catch (RuntimeException e) {
            // the next round lists it again and resets it again: a reset is idempotent
            LOG.warnf("cannot report the reset of %s: %s", resource.id(), e.getMessage());
        }
    }

    private void record(ResetOutcome outcome) {
        if (outcome instanceof ResetOutcome.Done done) {
            Timer.builder("envgrid.desktop.resets").description("hosted desktop resets, start to clean")
                    .register(meters).record(done.took());
        } else {
            meters.counter("envgrid.desktop.reset.failures").increment();
        }
    }
}

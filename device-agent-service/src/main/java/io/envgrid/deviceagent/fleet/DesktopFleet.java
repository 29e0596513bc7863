package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.cgroup.AgentCgroups;
import io.envgrid.deviceagent.cgroup.DesktopCgroup;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.osworld.Desktop;
import io.envgrid.deviceagent.osworld.DesktopException;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The desktops this agent hosts ({@code envgrid.device-agent.desktops.count}; none by default). Built when first
 * asked for; each starts in state {@code RESETTING} and is brought up by {@link #resetAll()} (its first reset), which
 * {@link DesktopResets} runs at start. Resets run on one thread per desktop, off the request and scheduler threads.
 */
@ApplicationScoped
public class DesktopFleet {

    private static final Logger LOG = Logger.getLogger(DesktopFleet.class);

    private final List<HostedDesktop> desktops;
    /** The desktops' home root when they have disks of their own ({@link DesktopDisk}), for their shared mount. */
    private final java.util.Optional<Path> diskHomes;
    private final ExecutorService resets;
    /** Where the desktops' control groups are made (with the host device's). */
    private final AgentCgroups cgroups;

    public DesktopFleet(DeviceAgentConfig config, AgentIdentity identity, MeterRegistry meters, AgentCgroups cgroups) {
        DeviceAgentConfig.Desktops settings = config.desktops();
        int count = settings.count();
        if (count < 0 || count > 1000) {
            throw new IllegalStateException("envgrid.device-agent.desktops.count must be 0 to 1000, not " + count);
        }
        if (count > 0 && settings.firstPort().isEmpty()) {
            throw new IllegalStateException("envgrid.device-agent.desktops.count=" + count
                    + " needs envgrid.device-agent.desktops.first-port: each desktop is served on its own port");
        }
        if (settings.maxConcurrentCalls() < 1) {
            throw new IllegalStateException("envgrid.device-agent.desktops.max-concurrent-calls must be at least 1, not "
                    + settings.maxConcurrentCalls());
        }
        // checked with the others at start, so a bad value stops the agent rather than only the desktops' ports, which
        // open later (DesktopPorts)
        if (settings.maxConnections() < 1 || settings.idleTimeout().isNegative() || settings.idleTimeout().isZero()) {
            throw new IllegalStateException("envgrid.device-agent.desktops.max-connections must be at least 1 and "
                    + "idle-timeout positive, not " + settings.maxConnections() + " and " + settings.idleTimeout());
        }
        this.cgroups = cgroups;
        List<HostedDesktop> hosted = new ArrayList<>();
        Path homes = settings.homeRoot().toAbsolutePath();
        String namespaces = DesktopNetwork.prefixOf(identity.agentId());
        List<String> outboundAllow = DesktopRouteOut.checkedRanges(settings.outboundAllow().orElse(List.of()));
        if (count > 0) {
            DesktopRouteOut.stopLeftovers(namespaces); // before their namespaces go: a former run's, in any mode
            DesktopNetwork.removeLeftovers(namespaces);
        }
        // mounting needs root (CAP_SYS_ADMIN), as the network namespaces do; a non-root agent separates no desktops anyway
        boolean ownDisks = count > 0 && io.envgrid.deviceagent.exec.WorkerExec.ownUid() == 0;
        long diskBytes = settings.limits().maxDisk().asLongValue();
        if (count > 0 && !ownDisks) {
            LOG.warn("*** hosted desktops have NO DISK BOUND: the agent is not root and cannot mount their file systems;"
                    + " a worker can fill the disk of " + homes + " and /tmp ***");
        }
        for (int i = 0; i < count; i++) {
            DesktopSpec spec = new DesktopSpec(i, identity.agentId() + ":desktop-" + i, settings.firstPort().orElseThrow() + i, settings.firstUid() + i, homes.resolve("desktop-" + i),
                    homes.resolve(".run").resolve("desktop-" + i));
            Optional<DesktopCgroup> group = cgroups.create("desktop-" + i);
            DesktopNetwork network = switch (settings.network()) {
                case SHARED -> DesktopNetwork.shared();
                case PRIVATE -> DesktopNetwork.own(namespaces, i);
                case OUTBOUND -> DesktopNetwork.outbound(namespaces, i);
            };
            Optional<DesktopRouteOut> routeOut = settings.network() == DeviceAgentConfig.DesktopNetworkMode.OUTBOUND
                    ? Optional.of(new DesktopRouteOut(namespaces + i, outboundAllow, group)) : Optional.empty();
            Optional<DesktopDisk> disk = ownDisks ? Optional.of(DesktopDisk.hosted(homes, i, spec.home(), diskBytes))
                    : Optional.empty();
            HostedDesktop desktop = new HostedDesktop(spec, config, group, network, routeOut, disk);
            hosted.add(desktop);
            Gauge.builder("envgrid.desktop.memory.limit", () -> group.map(DesktopCgroup::memoryLimitBytes).orElse(0L))
                    .baseUnit("bytes").description("memory limit of a hosted desktop's control group; 0: unbounded "
                            + "(no usable memory controller)").tag("desktop", spec.resourceId()).register(meters);
            group.ifPresent(g -> Gauge.builder("envgrid.desktop.memory.usage", g::memoryUsageBytes).baseUnit("bytes")
                    .description("memory a hosted desktop's control group uses now").tag("desktop", spec.resourceId())
                    .register(meters));
        }
        this.desktops = List.copyOf(hosted);
        this.diskHomes = ownDisks ? java.util.Optional.of(homes) : java.util.Optional.empty();
        this.resets = count == 0 ? null : Executors.newFixedThreadPool(count, runnable -> {
            Thread thread = new Thread(runnable, "desktop-reset");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Whether the agent hosts desktops (else it serves the attached display, if any). */
    public boolean hosting() {
        return !desktops.isEmpty();
    }

    public int size() {
        return desktops.size();
    }

    public List<HostedDesktop> desktops() {
        return desktops;
    }

    public Optional<HostedDesktop> byResourceId(String resourceId) {
        return desktops.stream().filter(d -> d.spec().resourceId().equals(resourceId)).findFirst();
    }

    /**
     * The services of the desktop named {@code name} ({@code "0"} … ), if it exists; a {@link DesktopException} 503
     * when it is being reset or its reset failed.
     */
    public Optional<Desktop> serving(String name) {
        for (HostedDesktop hosted : desktops) {
            if (hosted.desktop().name().equals(name)) {
                if (hosted.state() != HostedDesktop.State.READY) {
                    throw new DesktopException(503, ErrorCode.DESKTOP_UNAVAILABLE, "desktop " + name + " is "
                            + (hosted.state() == HostedDesktop.State.FAILED ? "down: its last reset failed"
                                    : "being reset"));
                }
                return Optional.of(hosted.desktop());
            }
        }
        return Optional.empty();
    }

    /** Resets these desktops at once, each on its own thread; the outcomes in the same order. */
    public List<ResetOutcome> reset(List<HostedDesktop> which) {
        return each(which, HostedDesktop::reset);
    }

    /** The first reset of every desktop (agent start). */
    List<ResetOutcome> resetAll() {
        return reset(desktops);
    }

    private List<ResetOutcome> each(List<HostedDesktop> which, Function<HostedDesktop, ResetOutcome> work) {
        List<Future<ResetOutcome>> running = which.stream().map(d -> resets.submit(() -> work.apply(d))).toList();
        List<ResetOutcome> outcomes = new ArrayList<>();
        for (Future<ResetOutcome> future : running) {
            try {
                outcomes.add(future.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcomes.add(new ResetOutcome.Failed("interrupted"));
            } catch (java.util.concurrent.ExecutionException e) {
                outcomes.add(new ResetOutcome.Failed("reset failed: " + e.getCause()));
            }
        }
        return outcomes;
    }

    @PreDestroy
    void stop() {
        if (resets != null) {
            resets.shutdownNow();
        }
        for (HostedDesktop desktop : desktops) {
            try {
                desktop.stop();
            } catch (RuntimeException e) {
                LOG.warnf("stopping desktop %s: %s", desktop.spec().resourceId(), e.getMessage());
            }
        }
        try {
            diskHomes.ifPresent(h -> DesktopDisk.removeShared(h.resolve(".disk")));
        } catch (RuntimeException e) {
            LOG.warnf("stopping the desktops: cannot unmount their namespace directory: %s", e.getMessage());
        }
        cgroups.removeIfUnused();
    }
}

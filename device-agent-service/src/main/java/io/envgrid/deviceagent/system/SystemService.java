package io.envgrid.deviceagent.system;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.event.EventBroadcaster;
import io.envgrid.deviceagent.presence.DeviceDiscovery;
import io.envgrid.deviceagent.presence.DevicePresence;
import io.envgrid.deviceagent.record.DeviceStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** {@code system.info} and {@code system.restart}. */
@ApplicationScoped
public class SystemService {

    private static final Logger LOG = Logger.getLogger(SystemService.class);

    private final DeviceAgentConfig config;
    private final DeviceStore store;
    private final DevicePresence presence;
    private final DeviceDiscovery discovery;
    private final EventBroadcaster events;
    private final Instant started = Instant.now();

    public SystemService(DeviceAgentConfig config, DeviceStore store, DevicePresence presence,
            DeviceDiscovery discovery, EventBroadcaster events) {
        this.config = config;
        this.store = store;
        this.presence = presence;
        this.discovery = discovery;
        this.events = events;
    }

    public Map<String, Object> info() {
        Map<String, Object> system = new LinkedHashMap<>();
        system.put("version", config.version());
        system.put("uptime", uptime(Duration.between(started, Instant.now())));
        system.put("devices_count", store.all().size());
        system.put("memory_usage", Math.round(memoryUsage() * 100) + "%");
        system.put("cpu_usage", Math.round(Math.max(0, cpuLoad()) * 100) + "%");
        return Map.of("system", system);
    }

    /**
     * Restarts the agent's state in place: re-reads the records from disk, drops every device connection and
     * discovers again. The process keeps running, so in-flight requests and {@code /ws} listeners survive.
     */
    public Map<String, Object> restart() {
        long delayMs = config.restartDelay().toMillis();
        CompletableFuture.runAsync(this::reload, CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
        events.system("system_restarting", null);
        return Map.of("success", true, "message", "System restarting in " + config.restartDelay().toSeconds() + " seconds");
    }

    private void reload() {
        try {
            store.reload();
            presence.reset();
            discovery.discover();
            events.system("system_restarted", null);
        } catch (RuntimeException e) {
            LOG.error("restart failed", e);
            events.error("INTERNAL_ERROR", "restart failed: " + e.getMessage(), null);
        }
    }

    static String uptime(Duration duration) {
        return duration.toHours() + "h " + duration.toMinutesPart() + "m " + duration.toSecondsPart() + "s";
    }

    private static double memoryUsage() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                && os.getTotalMemorySize() > 0) {
            return 1.0 - (double) os.getFreeMemorySize() / os.getTotalMemorySize();
        }
        Runtime runtime = Runtime.getRuntime();
        return (double) (runtime.totalMemory() - runtime.freeMemory()) / runtime.maxMemory();
    }

    private static double cpuLoad() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getCpuLoad();
        }
        return 0;
    }
}

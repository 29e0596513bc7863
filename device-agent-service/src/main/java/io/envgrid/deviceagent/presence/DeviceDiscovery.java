package io.envgrid.deviceagent.presence;

import io.envgrid.deviceagent.driver.DeviceDriver;
import io.envgrid.deviceagent.driver.DiscoveredDevice;
import io.envgrid.deviceagent.driver.DriverRegistry;
import io.envgrid.deviceagent.event.EventBroadcaster;
import io.envgrid.deviceagent.record.DeviceRecord;
import io.envgrid.deviceagent.record.DeviceStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Asks every driver for its attached devices, periodically and on demand. A device seen for the first time
 * gets a record and a {@code device_discovered} event; one that vanished raises {@code device_lost}.
 */
@ApplicationScoped
public class DeviceDiscovery {

    private static final Logger LOG = Logger.getLogger(DeviceDiscovery.class);

    private final DriverRegistry drivers;
    private final DeviceStore store;
    private final DevicePresence presence;
    private final EventBroadcaster events;

    public DeviceDiscovery(DriverRegistry drivers, DeviceStore store, DevicePresence presence, EventBroadcaster events) {
        this.drivers = drivers;
        this.store = store;
        this.presence = presence;
        this.events = events;
    }

    @Scheduled(every = "${envgrid.device-agent.discovery-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public synchronized void discover() {
        Set<String> seen = new HashSet<>();
        for (DeviceDriver driver : drivers.all()) {
            for (DiscoveredDevice device : driver.discover()) {
                seen.add(device.deviceId());
                if (presence.appeared(device.deviceId())) {
                    ensureRecord(device);
                    events.system("device_discovered", device.deviceId());
                    events.deviceStatus(device.deviceId(), DevicePresence.ONLINE);
                }
            }
        }
        for (String gone : presence.online()) {
            if (!seen.contains(gone)) {
                presence.disappeared(gone);
                events.system("device_lost", gone);
                events.deviceStatus(gone, DevicePresence.OFFLINE);
            }
        }
    }

    private void ensureRecord(DiscoveredDevice device) {
        if (store.exists(device.deviceId())) {
            return;
        }
        Map<String, Object> specs = new LinkedHashMap<>(device.info());
        String cpuType = String.valueOf(specs.getOrDefault("cpu_type", "unknown"));
        try {
            store.create(DeviceRecord.create(device.deviceId(), device.name(), device.type(), "", cpuType, specs,
                    Instant.now().toString()));
        } catch (RuntimeException e) {
            LOG.warnf("discovered device %s has no record: %s", device.deviceId(), e.getMessage());
        }
    }
}

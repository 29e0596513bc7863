package io.envgrid.deviceagent.allocator;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.desktop.XDisplay;
import io.envgrid.deviceagent.record.DeviceRecord;
import io.envgrid.deviceagent.record.DeviceStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Keeps the allocator's inventory in step with this host: its desktop (when it serves one) as a
 * {@code vm_pyautogui} (configurable) resource and every device as {@code device_<type>}, all
 * heart-beaten, re-registered when the allocator forgot them, and deleted when they are gone. A
 * borrowed device is drained, so no worker is granted a device a person has in hand.
 */
@ApplicationScoped
public class Registrations {

    private static final Logger LOG = Logger.getLogger(Registrations.class);

    private final AllocatorClient allocator;
    private final DeviceStore devices;
    private final XDisplay display;
    private final DeviceAgentConfig config;
    private final String authorization;
    private final String agentId;
    private final String publicHost;
    private final int port;
    /** What this agent registered, and whether it drained it. */
    private final Map<String, Boolean> registered = new HashMap<>();

    public Registrations(@RestClient AllocatorClient allocator, DeviceStore devices, XDisplay display, DeviceAgentConfig config,
            @ConfigProperty(name = "envgrid.allocator.service-token") java.util.Optional<String> serviceToken,
            @ConfigProperty(name = "quarkus.http.port") int port) {
        this.allocator = allocator;
        this.devices = devices;
        this.display = display;
        this.config = config;
        this.authorization = serviceToken.filter(t -> !t.isBlank()).map(t -> "Bearer " + t).orElse(null);
        this.agentId = config.registration().agentId().orElseGet(Registrations::hostName);
        this.publicHost = config.registration().publicHost().orElseGet(Registrations::hostName);
        this.port = port;
    }

    @Scheduled(every = "${envgrid.device-agent.registration.interval}", delayed = "1s",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void sync() {
        if (!config.registration().enabled()) {
            return;
        }
        Map<String, Wanted> wanted = wanted();
        wanted.forEach((id, w) -> {
            try {
                keep(w);
            } catch (RuntimeException e) {
                LOG.warnf("could not register %s with the allocator: %s", id, e.getMessage());
            }
        });
        for (String id : new HashSet<>(registered.keySet())) {
            if (!wanted.containsKey(id)) {
                try (Response r = allocator.delete(authorization, id)) {
                    if (r.getStatus() < 300 || r.getStatus() == 404) {
                        registered.remove(id);
                    }
                } catch (RuntimeException e) {
                    LOG.warnf("could not remove %s from the allocator: %s", id, e.getMessage());
                }
            }
        }
    }

    /** One resource to offer and whether it must be drained. */
    private record Wanted(ResourceRegistration resource, boolean drained) {
    }

    private Map<String, Wanted> wanted() {
        Map<String, Wanted> wanted = new LinkedHashMap<>();
        String agentUrl = "http://" + publicHost + ":" + port;
        if (display.name().isPresent()) {
            String id = config.desktop().resourceId().orElse(agentId + "-desktop");
            wanted.put(id, new Wanted(new ResourceRegistration(id, config.desktop().resourceType(),
                    Map.of("ip", publicHost, "port", port, "agent_url", agentUrl),
                    Map.of("agent", agentId, "display", display.name().get()), ttl()), false));
        }
        for (DeviceRecord device : devices.all()) {
            String id = agentId + ":" + device.deviceId();
            wanted.put(id, new Wanted(new ResourceRegistration(id, "device_" + device.type(),
                    Map.of("agent_url", agentUrl, "device_id", device.deviceId(), "device_type", device.type()),
                    Map.of("agent", agentId), ttl()), DeviceRecord.BORROWED.equals(device.status())));
        }
        return wanted;
    }

    private int ttl() {
        return config.registration().heartbeatTtlSeconds();
    }

    private void keep(Wanted w) {
        String id = w.resource().id();
        if (registered.containsKey(id)) {
            try (Response r = allocator.heartbeat(authorization, id)) {
                if (r.getStatus() == 404) {
                    registered.remove(id);
                }
            }
        }
        if (!registered.containsKey(id)) {
            try (Response r = allocator.register(authorization, w.resource())) {
                if (r.getStatus() >= 300) {
                    throw new IllegalStateException("allocator answered " + r.getStatus() + ": " + r.readEntity(String.class));
                }
            }
            registered.put(id, false);
            LOG.infof("registered %s (%s) with the allocator", id, w.resource().type());
        }
        if (registered.get(id) != w.drained()) {
            try (Response r = w.drained() ? allocator.drain(authorization, id) : allocator.undrain(authorization, id)) {
                if (r.getStatus() < 300) {
                    registered.put(id, w.drained());
                }
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}

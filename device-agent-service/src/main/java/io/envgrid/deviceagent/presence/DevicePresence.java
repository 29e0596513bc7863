package io.envgrid.deviceagent.presence;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Which devices a driver sees attached now, and which of them the agent has connected; not persisted. */
@ApplicationScoped
public class DevicePresence {

    public static final String CONNECTED = "connected";
    public static final String ONLINE = "online";
    public static final String OFFLINE = "offline";

    private final Set<String> online = ConcurrentHashMap.newKeySet();
    private final Set<String> connected = ConcurrentHashMap.newKeySet();

    public String of(String deviceId) {
        if (connected.contains(deviceId)) {
            return CONNECTED;
        }
        return online.contains(deviceId) ? ONLINE : OFFLINE;
    }

    /** @return whether the device was not seen before */
    boolean appeared(String deviceId) {
        return online.add(deviceId);
    }

    void disappeared(String deviceId) {
        online.remove(deviceId);
        connected.remove(deviceId);
    }

    Set<String> online() {
        return Set.copyOf(online);
    }

    public void connected(String deviceId) {
        connected.add(deviceId);
    }

    public void disconnected(String deviceId) {
        connected.remove(deviceId);
    }

    /** Forgets everything, as a restarted agent would. */
    public void reset() {
        online.clear();
        connected.clear();
    }
}

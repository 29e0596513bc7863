package io.envgrid.deviceagent.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/** Pushes the device-management WebSocket messages {@code {"type", "data"}} to every listener on {@code /ws}. */
@ApplicationScoped
public class EventBroadcaster {

    public static final String DEVICE_STATUS_UPDATE = "device_status_update";
    public static final String SYSTEM_EVENT = "system_event";
    public static final String DEVICE_BORROWED = "device_borrowed";
    public static final String DEVICE_RETURNED = "device_returned";
    public static final String ERROR = "error";

    private static final Logger LOG = Logger.getLogger(EventBroadcaster.class);

    private final OpenConnections connections;
    private final ObjectMapper json;

    public EventBroadcaster(OpenConnections connections, ObjectMapper json) {
        this.connections = connections;
        this.json = json;
    }

    public void deviceStatus(String deviceId, String status) {
        publish(DEVICE_STATUS_UPDATE, Map.of("device_id", deviceId, "status", status));
    }

    public void system(String event, String deviceId) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("event", event);
        data.put("device_id", deviceId);
        publish(SYSTEM_EVENT, data);
    }

    public void error(String code, String message, String deviceId) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("code", code);
        data.put("message", message);
        data.put("device_id", deviceId);
        publish(ERROR, data);
    }

    /** Adds the timestamp every message carries; a listener that went away is skipped, not an error. */
    public void publish(String type, Map<String, Object> data) {
        Map<String, Object> stamped = new LinkedHashMap<>(data);
        stamped.put("timestamp", Instant.now().toString());
        String message;
        try {
            message = json.writeValueAsString(Map.of("type", type, "data", stamped));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event data not serializable", e);
        }
        for (WebSocketConnection connection : connections) {
            connection.sendText(message).subscribe().with(sent -> { },
                    failure -> LOG.debugf("event not delivered to %s: %s", connection.id(), failure.getMessage()));
        }
    }
}

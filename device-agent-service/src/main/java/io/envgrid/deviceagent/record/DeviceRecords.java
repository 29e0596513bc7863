package io.envgrid.deviceagent.record;

import io.envgrid.deviceagent.event.EventBroadcaster;
import io.envgrid.deviceagent.presence.DevicePresence;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The record tools ({@code device.list}, {@code .status}, {@code .info}, {@code .create}, {@code .update},
 * {@code .delete}): reads and writes of {@code device.json} through the {@link DeviceStore}, with the connection
 * state from {@link DevicePresence} and a {@code system_event} on every change. Answers are the tools' JSON shapes;
 * a missing device is {@code 404 DEVICE_NOT_FOUND} from the store.
 */
@ApplicationScoped
public class DeviceRecords {

    private final DeviceStore store;
    private final DevicePresence presence;
    private final EventBroadcaster events;

    public DeviceRecords(DeviceStore store, DevicePresence presence, EventBroadcaster events) {
        this.store = store;
        this.presence = presence;
        this.events = events;
    }

    /** {@code {"devices": [{id, type, name, status (connection), info (specs)}]}}. */
    public Map<String, Object> list() {
        return Map.of("devices", store.all().stream().map(r -> {
            Map<String, Object> device = new LinkedHashMap<>();
            device.put("id", r.deviceId());
            device.put("type", r.type());
            device.put("name", r.name());
            device.put("status", presence.of(r.deviceId()));
            device.put("info", r.specs());
            return device;
        }).toList());
    }

    /** The record's fields with the connection state and the borrow history. */
    public Map<String, Object> status(String deviceId) {
        DeviceRecord record = store.get(deviceId);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("device_id", record.deviceId());
        response.put("name", record.name());
        response.put("type", record.type());
        response.put("sku", record.sku());
        response.put("cpu_type", record.cpuType());
        response.put("status", record.status());
        response.put("connection", presence.of(deviceId));
        response.put("current_borrower", record.currentBorrower());
        response.put("specs", record.specs());
        response.put("borrow_history", record.borrowHistory());
        response.put("last_updated", record.lastUpdated());
        return response;
    }

    /** The whole record as {@code device.json} holds it. */
    public DeviceRecord info(String deviceId) {
        return store.get(deviceId);
    }

    /** Writes a new record; an existing id is {@code 409} from the store. */
    public Map<String, Object> create(DeviceRecord record) {
        store.create(record);
        events.system("device_created", record.deviceId());
        return Map.of("success", true, "device_id", record.deviceId(), "message", "device created");
    }

    /** Null fields stay as they are; {@code specChanges} are merged into the specs. */
    public Map<String, Object> update(String deviceId, String name, String sku, String cpuType,
            Map<String, Object> specChanges) {
        store.update(deviceId, record -> record.updated(name, sku, cpuType, specChanges, Instant.now().toString()));
        events.system("device_updated", deviceId);
        return Map.of("success", true, "device_id", deviceId, "message", "device updated");
    }

    /** Removes the record with its logs and files; a borrowed device is refused by the store. */
    public Map<String, Object> delete(String deviceId) {
        store.delete(deviceId);
        presence.disconnected(deviceId);
        events.system("device_deleted", deviceId);
        return Map.of("success", true, "device_id", deviceId, "message", "device deleted");
    }
}

package io.envgrid.deviceagent.record;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The content of {@code device.json}, field for field as the device tools' contract shows it. */
@RegisterForReflection
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DeviceRecord(String deviceId, String name, String type, String sku, String cpuType,
        Map<String, Object> specs, String status, String currentBorrower, List<BorrowEntry> borrowHistory,
        String lastUpdated, String createdAt) {

    public static final String AVAILABLE = "available";
    public static final String BORROWED = "borrowed";

    public DeviceRecord {
        specs = specs == null ? Map.of() : specs;
        borrowHistory = borrowHistory == null ? List.of() : List.copyOf(borrowHistory);
        status = status == null ? AVAILABLE : status;
    }

    public static DeviceRecord create(String deviceId, String name, String type, String sku, String cpuType,
            Map<String, Object> specs, String now) {
        return new DeviceRecord(deviceId, name, type, sku, cpuType, specs, AVAILABLE, null, List.of(), now, now);
    }

    public DeviceRecord borrowed(BorrowEntry entry, String now) {
        List<BorrowEntry> history = new ArrayList<>(borrowHistory);
        history.add(entry);
        return new DeviceRecord(deviceId, name, type, sku, cpuType, specs, BORROWED, entry.borrower(), history,
                now, createdAt);
    }

    public DeviceRecord returned(String returner, String now) {
        List<BorrowEntry> history = new ArrayList<>(borrowHistory);
        history.replaceAll(e -> e.open() ? e.returned(returner, now) : e);
        return new DeviceRecord(deviceId, name, type, sku, cpuType, specs, AVAILABLE, null, history, now,
                createdAt);
    }

    /** Name, SKU and CPU type replace; specs merge key by key, as the contract's update example expects. */
    public DeviceRecord updated(String newName, String newSku, String newCpuType, Map<String, Object> specChanges,
            String now) {
        Map<String, Object> merged = new LinkedHashMap<>(specs);
        merged.putAll(specChanges);
        return new DeviceRecord(deviceId, newName == null ? name : newName, type, newSku == null ? sku : newSku,
                newCpuType == null ? cpuType : newCpuType, merged, status, currentBorrower, borrowHistory, now,
                createdAt);
    }

    public BorrowEntry openBorrow() {
        return borrowHistory.stream().filter(BorrowEntry::open).findFirst().orElse(null);
    }
}

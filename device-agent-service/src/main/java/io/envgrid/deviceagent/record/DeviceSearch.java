package io.envgrid.deviceagent.record;

import io.envgrid.deviceagent.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** {@code device.search}: a text query over the record's words, narrowed by exact filters. */
@ApplicationScoped
public class DeviceSearch {

    private static final Set<String> FILTERS = Set.of("type", "status", "cpu_type", "available");

    private final DeviceStore store;

    public DeviceSearch(DeviceStore store) {
        this.store = store;
    }

    public Map<String, Object> search(String query, Map<String, Object> filters) {
        Predicate<DeviceRecord> matches = matchesQuery(query).and(matchesFilters(filters));
        List<Map<String, Object>> found = store.all().stream().filter(matches).map(DeviceSearch::summary).toList();
        return Map.of("devices", found, "total", found.size());
    }

    /** Case-insensitive substring of the id, name, type, SKU, CPU type or any spec value. */
    private static Predicate<DeviceRecord> matchesQuery(String query) {
        if (query == null || query.isBlank()) {
            return record -> true;
        }
        String needle = query.toLowerCase(Locale.ROOT);
        return record -> Stream.concat(
                        Stream.of(record.deviceId(), record.name(), record.type(), record.sku(), record.cpuType()),
                        record.specs().values().stream().map(String::valueOf))
                .anyMatch(text -> text != null && text.toLowerCase(Locale.ROOT).contains(needle));
    }

    private static Predicate<DeviceRecord> matchesFilters(Map<String, Object> filters) {
        List<String> unknown = filters.keySet().stream().filter(key -> !FILTERS.contains(key)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("unknown filters " + unknown + "; known: " + FILTERS.stream().sorted().toList());
        }
        Predicate<DeviceRecord> all = record -> true;
        all = all.and(equalsIgnoringCase(filters, "type", DeviceRecord::type));
        all = all.and(equalsIgnoringCase(filters, "status", DeviceRecord::status));
        all = all.and(equalsIgnoringCase(filters, "cpu_type", DeviceRecord::cpuType));
        Object available = filters.get("available");
        if (available != null) {
            if (!(available instanceof Boolean wanted)) {
                throw ApiException.badRequest("filter 'available' must be a boolean");
            }
            all = all.and(record -> DeviceRecord.AVAILABLE.equals(record.status()) == wanted);
        }
        return all;
    }

    private static Predicate<DeviceRecord> equalsIgnoringCase(Map<String, Object> filters, String key,
            java.util.function.Function<DeviceRecord, String> field) {
        Object wanted = filters.get(key);
        if (wanted == null) {
            return record -> true;
        }
        if (!(wanted instanceof String text)) {
            throw ApiException.badRequest("filter '" + key + "' must be a string");
        }
        return record -> text.equalsIgnoreCase(field.apply(record));
    }

    private static Map<String, Object> summary(DeviceRecord record) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("device_id", record.deviceId());
        summary.put("name", record.name());
        summary.put("type", record.type());
        summary.put("sku", record.sku());
        summary.put("status", record.status());
        return summary;
    }
}

package io.envgrid.allocator.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.mutiny.redis.client.Response;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Reads the Redis hash of a resource into the views the API returns. */
final class ResourceRecords {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() { };

    private ResourceRecords() {
    }

    /** The state a caller sees: a lease wins over resetting, resetting over draining, draining over down. */
    static String state(Map<String, String> h) {
        if (h.get("worker") != null) {
            return "leased";
        }
        if (h.get("resetting") != null) {
            return "resetting";
        }
        if ("draining".equals(h.get("admin"))) {
            return "draining";
        }
        return "down".equals(h.get("health")) ? "down" : "free";
    }

    static Map<String, String> fields(Response flat) {
        Map<String, String> h = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            h.put(flat.get(i).toString(), flat.get(i + 1).toString());
        }
        return h;
    }

    static ResourceView view(Map<String, String> h, ObjectMapper json) {
        int ttlMs = Integer.parseInt(h.getOrDefault("hb_ttl_ms", "0"));
        return new ResourceView(h.get("id"), h.get("type"), state(h), h.get("admin"), h.get("health"),
                parse(json, h.get("endpoint"), OBJECT), parse(json, h.get("labels"), STRINGS),
                ttlMs > 0 ? ttlMs / 1000 : null, "1".equals(h.get("reset")), h.get("down_reason"),
                Long.parseLong(h.getOrDefault("fence", "0")), h.get("owner"), h.get("drained_by"),
                h.get("drained_at") == null ? null : iso(h.get("drained_at")), lease(h));
    }

    static LeaseView lease(Map<String, String> h) {
        if (h.get("worker") == null) {
            return null;
        }
        return new LeaseView(h.get("id"), h.get("type"), h.get("worker"), h.get("lease_id"),
                Long.parseLong(h.get("fence")), iso(h.get("granted")), iso(h.get("expires")));
    }

    static String iso(String epochMillis) {
        return Instant.ofEpochMilli(Long.parseLong(epochMillis)).toString();
    }

    private static <T> T parse(ObjectMapper json, String text, TypeReference<T> type) {
        try {
            return json.readValue(text == null ? "{}" : text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt resource record field: " + text, e);
        }
    }
}

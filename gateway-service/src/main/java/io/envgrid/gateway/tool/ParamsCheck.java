package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a call's parameters against the tool's input schema (the subset the gateway's schemas
 * use: types, enums, bounds, required, and — for the Sandbox API — no unknown names) before
 * anything runs, so a bad call binds no MCP session, opens no temporary session and leases
 * nothing. Both front ends use it.
 */
public final class ParamsCheck {

    private ParamsCheck() {
    }

    /** Every problem of {@code params} against {@code schema}, unknown names included; empty when it passes. */
    public static List<String> problems(ObjectNode schema, ObjectNode params) {
        return problems(schema, params, false);
    }

    /**
     * Every problem of {@code params}; with {@code allowUnknown} names the schema does not list are
     * let through (MCP clients may send more than a tool reads, seed 000's among them).
     */
    public static List<String> problems(ObjectNode schema, ObjectNode params, boolean allowUnknown) {
        List<String> problems = new ArrayList<>();
        JsonNode properties = schema.path("properties");
        params.fieldNames().forEachRemaining(name -> {
            JsonNode property = properties.get(name);
            if (property == null) {
                if (!allowUnknown) {
                    problems.add("unknown parameter '" + name + "'; known: " + names(properties));
                }
            } else {
                check(name, property, params.get(name), problems);
            }
        });
        schema.path("required").forEach(r -> {
            if (!params.hasNonNull(r.asText())) {
                problems.add("'" + r.asText() + "' is required");
            }
        });
        return problems;
    }

    private static void check(String name, JsonNode property, JsonNode value, List<String> problems) {
        String type = property.path("type").asText("");
        if (value.isNull()) {
            return;
        }
        if (!hasType(type, value)) {
            problems.add("'" + name + "' must be of type " + type);
            return;
        }
        if (property.has("enum")) {
            boolean listed = false;
            for (JsonNode allowed : property.get("enum")) {
                listed |= allowed.equals(value);
            }
            if (!listed) {
                problems.add("'" + name + "' must be one of " + property.get("enum"));
            }
        }
        if (type.equals("integer") && ((property.has("minimum") && value.asLong() < property.get("minimum").asLong())
                || (property.has("maximum") && value.asLong() > property.get("maximum").asLong()))) {
            problems.add("'" + name + "' must be from " + property.path("minimum") + " to " + property.path("maximum"));
        }
        if (type.equals("array")) {
            if (value.size() < property.path("minItems").asInt(0) || value.size() > property.path("maxItems").asInt(Integer.MAX_VALUE)) {
                problems.add("'" + name + "' must have " + property.path("minItems").asInt(0) + " to "
                        + property.path("maxItems").asInt(Integer.MAX_VALUE) + " items");
            }
            String itemType = property.path("items").path("type").asText("");
            for (JsonNode item : value) {
                if (!itemType.isEmpty() && !hasType(itemType, item)) {
                    problems.add("'" + name + "' items must be of type " + itemType);
                    return;
                }
            }
        }
    }

    private static boolean hasType(String type, JsonNode value) {
        return switch (type) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            default -> true;
        };
    }

    private static List<String> names(JsonNode properties) {
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

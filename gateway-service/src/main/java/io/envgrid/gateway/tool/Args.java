package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of tool arguments; a missing or ill-typed value is a 400 naming the argument. */
public final class Args {

    private final ObjectNode node;

    Args(ObjectNode node) {
        this.node = node;
    }

    public static Args of(ObjectNode node) {
        return new Args(node);
    }

    public String string(String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw ToolFailure.invalid("'" + name + "' must be a non-empty string");
        }
        return value.asText();
    }

    public String optionalString(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        return string(name);
    }

    public long integer(String name, long defaultValue, long min, long max) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
            throw ToolFailure.invalid("'" + name + "' must be an integer from " + min + " to " + max);
        }
        return value.asLong();
    }

    public List<String> strings(String name, int maxItems) {
        JsonNode value = node.get(name);
        if (value == null || !value.isArray() || value.isEmpty() || value.size() > maxItems) {
            throw ToolFailure.invalid("'" + name + "' must be a list of 1 to " + maxItems + " strings");
        }
        List<String> items = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw ToolFailure.invalid("'" + name + "' must contain non-empty strings only");
            }
            items.add(item.asText());
        }
        return items;
    }

    public ObjectNode optionalObject(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw ToolFailure.invalid("'" + name + "' must be an object");
        }
        return (ObjectNode) value;
    }

    public JsonNode raw(String name) {
        return node.get(name);
    }
}

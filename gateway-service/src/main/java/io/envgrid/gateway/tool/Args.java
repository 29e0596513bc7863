package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of a tool's arguments that passed its {@link ArgumentCheck}: the schema holds every
 * bound, so these only read (a value of the wrong type still answers 400 naming the argument, for
 * the free-form objects inside arguments the schema leaves open). Request bodies of the Sandbox API
 * are records read by its {@code StrictBodies}, not these.
 */
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

    /**
     * The integer argument, or {@code defaultValue} when it is absent; read exactly ({@link ExactInteger}), so a value
     * the schema bounded is never truncated on its way to a service, and one it did not bound is refused naming it.
     */
    public long integer(String name, long defaultValue) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        return ExactInteger.within(value, name, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** The list of strings, or null when absent. */
    public List<String> strings(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw ToolFailure.invalid("'" + name + "' must be a list of strings");
        }
        List<String> items = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw ToolFailure.invalid("'" + name + "' must contain strings only");
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

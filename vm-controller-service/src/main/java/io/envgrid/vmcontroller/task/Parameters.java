package io.envgrid.vmcontroller.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.error.ErrorCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keyword arguments of one part of an OSWorld task (a set-up step's {@code parameters}, a getter, a metric's
 * {@code rules} or {@code options}), read strictly and typed, as Python binds a call's keyword arguments: a name the
 * function does not take, a value of the wrong type or a missing required one is {@code 400 INVALID_PARAMETERS} whose
 * message names {@code where.name} and whose {@code details} are {@code {field, index?, parameter}} ({@code field}:
 * the task field being read, e.g. {@code config}; {@code index}: the step's or metric's place in its list). Names are
 * JSON object keys; absent and JSON {@code null} are the same (Python's default).
 */
public final class Parameters {

    private final JsonNode node;
    private final String where;
    private final String field;
    private final int index;

    private Parameters(JsonNode node, String where, String field, int index) {
        this.node = node;
        this.where = where;
        this.field = field;
        this.index = index;
    }

    /**
     * The object {@code node} (null or missing: no parameters), read as {@code where} (the path shown in messages)
     * within task field {@code field}, at {@code index} of its list ({@code -1}: not in a list).
     */
    public static Parameters of(JsonNode node, String where, String field, int index) {
        JsonNode object = node == null || node.isNull() || node.isMissingNode()
                ? JsonNodeFactory.instance.objectNode() : node;
        Parameters parameters = new Parameters(object, where, field, index);
        if (!object.isObject()) {
            throw parameters.invalid(null, "must be an object");
        }
        return parameters;
    }

    /** Where these parameters are, as messages show it ({@code config[2].parameters}). */
    public String where() {
        return where;
    }

    /** Refuses every name outside {@code names}; returns this, to read on. */
    public Parameters allow(String... names) {
        return allow(Set.of(names));
    }

    /** Refuses every name outside {@code names}; returns this, to read on. */
    public Parameters allow(Collection<String> names) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!names.contains(name)) {
                throw invalid(name, "is not a parameter here (takes " + String.join(", ", new TreeSet<>(names))
                        + ")");
            }
        }
        return this;
    }

    /** Whether {@code name} is given (not absent, not null). */
    public boolean has(String name) {
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    /** The raw value of {@code name}, or null when absent or null. */
    public JsonNode raw(String name) {
        return has(name) ? node.get(name) : null;
    }

    /** A required non-empty string without NUL (no file name or process argument can hold one). */
    public String string(String name) {
        JsonNode value = raw(name);
        if (value == null || !value.isTextual() || value.asText().isEmpty() || value.asText().indexOf('\0') >= 0) {
            throw invalid(name, "must be a non-empty string without NUL");
        }
        return value.asText();
    }

    /** An optional string (any text); null when absent. */
    public String optionalString(String name) {
        JsonNode value = raw(name);
        if (value != null && !value.isTextual()) {
            throw invalid(name, "must be a string");
        }
        return value == null ? null : value.asText();
    }

    /** An optional boolean; {@code fallback} when absent. */
    public boolean flag(String name, boolean fallback) {
        JsonNode value = raw(name);
        if (value != null && !value.isBoolean()) {
            throw invalid(name, "must be true or false");
        }
        return value == null ? fallback : value.asBoolean();
    }

    /** An optional boolean, false when absent. */
    public boolean flag(String name) {
        return flag(name, false);
    }

    /** A required number in {@code [min, max]}. */
    public double number(String name, double min, double max) {
        JsonNode value = raw(name);
        if (value == null || !value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
            throw invalid(name, "must be a number from " + plain(min) + " to " + plain(max));
        }
        return value.asDouble();
    }

    /** An optional integer; null when absent. */
    public Integer optionalInt(String name) {
        JsonNode value = raw(name);
        if (value != null && (!value.isIntegralNumber() || !value.canConvertToInt())) {
            throw invalid(name, "must be an integer");
        }
        return value == null ? null : value.asInt();
    }

    /** An optional list of strings; empty when absent. */
    public List<String> strings(String name) {
        JsonNode value = raw(name);
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        if (!value.isArray()) {
            throw invalid(name, "must be a list of strings");
        }
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw invalid(name, "must be a list of strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    /** A required list (any items). */
    public JsonNode list(String name) {
        JsonNode value = raw(name);
        if (value == null || !value.isArray()) {
            throw invalid(name, "must be a list");
        }
        return value;
    }

    /** The object at {@code name} (absent: no parameters) as parameters of its own, read at {@code where.name}. */
    public Parameters object(String name) {
        return nested(raw(name), where + "." + name);
    }

    /** {@code item} (an element of one of these parameters' lists) as parameters of its own, read as {@code at}. */
    public Parameters nested(JsonNode item, String at) {
        return of(item, at, field, index);
    }

    /** {@code 400 INVALID_PARAMETERS}: {@code where.name message} ({@code name} null: the whole object). */
    public ApiException invalid(String name, String message) {
        return new ApiException(400, ErrorCode.INVALID_PARAMETERS, (name == null ? where : where + "." + name) + " "
                + message, details(name, null));
    }

    /** {@code 400 UNSUPPORTED_TASK_FEATURE} naming {@code feature}: a part of OSWorld envgrid does not run. */
    public ApiException unsupported(String name, String message, String feature) {
        return new ApiException(400, ErrorCode.UNSUPPORTED_TASK_FEATURE, message, details(name, feature));
    }

    private Map<String, Object> details(String name, String feature) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", field);
        if (index >= 0) {
            details.put("index", index);
        }
        if (name != null) {
            details.put("parameter", name);
        }
        if (feature != null) {
            details.put("unsupported", feature);
        }
        return details;
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}

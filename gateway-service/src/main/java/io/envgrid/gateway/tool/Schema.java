package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Builds the JSON Schema (2020-12) of a tool's input: an object with typed, described properties
 * and no others ({@code additionalProperties: false}: an unknown argument is refused). Every
 * bound of an argument is written here and nowhere else; strings must hold a non-blank
 * character. {@link #output()} builds an output schema, which lists what is always there and
 * lets a backend's answer carry more.
 */
public final class Schema {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectNode root = NODES.objectNode();
    private final ObjectNode properties = root.putObject("properties");
    private final ArrayNode required = NODES.arrayNode();

    private final boolean closed;

    private Schema(boolean closed) {
        this.closed = closed;
        root.put("type", "object");
    }

    /** An input schema: the listed properties only. */
    public static Schema object() {
        return new Schema(true);
    }

    /** An output schema: the listed properties (required ones always there), more allowed. */
    public static Schema output() {
        return new Schema(false);
    }

    /** The resource a call acts on when the worker holds several; the Sandbox API passes its session's. */
    public Schema resourceId(String what) {
        return string("resource_id", what, false);
    }

    /** The worker id every resource tool takes; optional once the MCP session is bound to a worker. */
    public Schema workerId() {
        return string("worker_id", "The worker acting; injected from the MCP session once it is bound", false);
    }

    public Schema string(String name, String description, boolean mandatory) {
        nonBlank(property(name, description, mandatory));
        return this;
    }

    /** Any JSON value of {@code type} (for output schemas). */
    public Schema typed(String name, String description, boolean mandatory, String type) {
        property(name, description, mandatory).put("type", type);
        return this;
    }

    private static ObjectNode nonBlank(ObjectNode p) {
        return p.put("type", "string").put("minLength", 1).put("pattern", "\\S");
    }

    public Schema bool(String name, String description, boolean mandatory) {
        property(name, description, mandatory).put("type", "boolean");
        return this;
    }

    public Schema enumeration(String name, String description, boolean mandatory, String... values) {
        ObjectNode p = property(name, description, mandatory);
        p.put("type", "string");
        ArrayNode allowed = p.putArray("enum");
        for (String v : values) {
            allowed.add(v);
        }
        return this;
    }

    public Schema integer(String name, String description, boolean mandatory, long min, long max) {
        ObjectNode p = property(name, description, mandatory);
        p.put("type", "integer");
        p.put("minimum", min);
        p.put("maximum", max);
        return this;
    }

    public Schema stringList(String name, String description, boolean mandatory, int maxItems) {
        ObjectNode p = property(name, description, mandatory);
        p.put("type", "array");
        nonBlank(p.putObject("items"));
        p.put("minItems", 1);
        p.put("maxItems", maxItems);
        return this;
    }

    public Schema integerPair(String name, String description, boolean mandatory) {
        ObjectNode p = property(name, description, mandatory);
        p.put("type", "array");
        p.putObject("items").put("type", "integer").put("minimum", 0);
        p.put("minItems", 2);
        p.put("maxItems", 2);
        return this;
    }

    public Schema freeObject(String name, String description, boolean mandatory) {
        property(name, description, mandatory).put("type", "object");
        return this;
    }

    private ObjectNode property(String name, String description, boolean mandatory) {
        if (mandatory) {
            required.add(name);
        }
        return properties.putObject(name).put("description", description);
    }

    public ObjectNode build() {
        if (!required.isEmpty()) {
            root.set("required", required);
        }
        if (closed) {
            root.put("additionalProperties", false);
        }
        return root;
    }
}

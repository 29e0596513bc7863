package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the JSON Schema of a tool's input: an object with typed, described properties. */
public final class Schema {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectNode root = NODES.objectNode();
    private final ObjectNode properties = root.putObject("properties");
    private final ArrayNode required = NODES.arrayNode();

    private Schema() {
        root.put("type", "object");
    }

    public static Schema object() {
        return new Schema();
    }

    /** The worker id every resource tool takes; optional once the MCP session is bound to a worker. */
    public Schema workerId() {
        return string("worker_id", "The worker acting; injected from the MCP session once it is bound", false);
    }

    public Schema string(String name, String description, boolean mandatory) {
        property(name, description, mandatory).put("type", "string");
        return this;
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
        p.putObject("items").put("type", "string");
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
        return root;
    }
}

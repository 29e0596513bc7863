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

    private final ArrayNode allOf = NODES.arrayNode();
    private final ObjectNode dependentRequired = NODES.objectNode();

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

    /** A JSON number (a fraction allowed) from {@code min} to {@code max}. */
    public Schema number(String name, String description, boolean mandatory, long min, long max) {
        ObjectNode p = property(name, description, mandatory);
        p.put("type", "number");
        p.put("minimum", min);
        p.put("maximum", max);
        return this;
    }

    /** Any string, blanks included (text to type: a space or a newline is something to type). */
    public Schema text(String name, String description, boolean mandatory) {
        property(name, description, mandatory).put("type", "string");
        return this;
    }

    /** {@code a} and {@code b} are given together or not at all (a point's x and y). */
    public Schema together(String a, String b) {
        dependentRequired.putArray(a).add(b);
        dependentRequired.putArray(b).add(a);
        return this;
    }

    /** At least one of {@code names} is given (a scroll needs dx, dy or both). */
    public Schema atLeastOne(String... names) {
        ArrayNode anyOf = allOf.addObject().putArray("anyOf");
        for (String name : names) {
            anyOf.addObject().putArray("required").add(name);
        }
        return this;
    }

    /** When {@code present} is given, so is at least one of {@code alternatives}. */
    public Schema whenGiven(String present, String... alternatives) {
        ObjectNode condition = allOf.addObject();
        condition.putObject("if").putArray("required").add(present);
        ArrayNode anyOf = condition.putObject("then").putArray("anyOf");
        for (String alternative : alternatives) {
            anyOf.addObject().putArray("required").add(alternative);
        }
        return this;
    }

    /**
     * When {@code discriminator} is {@code value}, {@code property} must pass {@code schema} (and be there, when
     * {@code mandatory}): one such case per value gives an argument whose shape depends on another, e.g. a
     * computer_13 action's {@code parameters} on its {@code action_type}, and {@code tools/list} shows each case.
     */
    public Schema whenEquals(String discriminator, String value, String property, ObjectNode schema, boolean mandatory) {
        ObjectNode condition = allOf.addObject();
        ObjectNode test = condition.putObject("if");
        test.putObject("properties").putObject(discriminator).put("const", value);
        test.putArray("required").add(discriminator);
        ObjectNode then = condition.putObject("then");
        if (mandatory) {
            then.putArray("required").add(property);
        }
        then.putObject("properties").set(property, schema);
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

    /** Two integers from 0 to {@code max} (a point [x, y]). */
    public Schema integerPair(String name, String description, boolean mandatory, long max) {
        ObjectNode p = property(name, description, mandatory);
        p.put("type", "array");
        p.putObject("items").put("type", "integer").put("minimum", 0).put("maximum", max);
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
        if (!dependentRequired.isEmpty()) {
            root.set("dependentRequired", dependentRequired);
        }
        if (!allOf.isEmpty()) {
            root.set("allOf", allOf);
        }
        if (closed) {
            root.put("additionalProperties", false);
        }
        return root;
    }
}

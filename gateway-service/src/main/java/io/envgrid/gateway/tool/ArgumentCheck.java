package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one parameter check of a tool, for MCP and the Sandbox API alike: the id rule on every id
 * argument (400 {@code INVALID_ID} naming it), then the tool's JSON Schema (2020-12, networknt
 * json-schema-validator; compiled once, when the tool is registered): types, enums, bounds,
 * required and unknown arguments, every problem listed, 400 {@code INVALID_PARAMETERS} whose
 * {@code details.argument} names the first argument at fault and {@code details.field} the place inside it
 * ({@code parameters.x}, {@code coordinate[0]}). Nothing has run when it refuses.
 */
public final class ArgumentCheck {

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().locale(Locale.ENGLISH).build()));

    private final String tool;
    private final Schema schema;

    private ArgumentCheck(String tool, Schema schema) {
        this.tool = tool;
        this.schema = schema;
    }

    /** Compiles {@code schema} for {@code tool}; a schema that cannot be compiled stops the start. */
    public static ArgumentCheck compile(String tool, ObjectNode schema) {
        return new ArgumentCheck(tool, SCHEMAS.getSchema(schema));
    }

    /** Refuses {@code arguments} with a 400 {@link ToolFailure} unless they pass the id rule and the schema. */
    public void check(ObjectNode arguments) {
        IdRule.checkArguments(arguments);
        List<Error> errors = schema.validate(arguments);
        if (errors.isEmpty()) {
            return;
        }
        List<String> problems = errors.stream().map(ArgumentCheck::describe).toList();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("tool", tool);
        String argument = argumentOf(errors.get(0));
        if (argument != null) {
            details.put("argument", argument);
            details.put("field", fieldOf(errors.get(0)));
        }
        details.put("problems", problems);
        throw new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, tool + ": " + String.join("; ", problems), details);
    }

    /** Every problem of {@code value} against the schema (for output schemas); empty when it passes. */
    public List<String> problems(JsonNode value) {
        List<String> problems = new ArrayList<>();
        schema.validate(value).forEach(e -> problems.add(describe(e)));
        return problems;
    }

    /** The top-level argument an error is about: the first step of its {@link #location}, if any. */
    static String argumentOf(Error error) {
        List<Object> location = location(error);
        return location.isEmpty() ? null : String.valueOf(location.get(0));
    }

    /** Where in the arguments an error is: {@code x}, {@code parameters.y}, {@code coordinate[0]}. */
    static String fieldOf(Error error) {
        StringBuilder field = new StringBuilder();
        for (Object step : location(error)) {
            if (step instanceof Integer index) {
                field.append('[').append(index).append(']');
            } else {
                field.append(field.length() == 0 ? "" : ".").append(step);
            }
        }
        return field.toString();
    }

    /**
     * The steps to the value an error is about: its instance location, and for a missing or unknown property (which
     * the validator reports on the object holding it) that property's name, so that the refusal names the argument
     * the caller has to change rather than the object around it.
     */
    private static List<Object> location(Error error) {
        List<Object> steps = new ArrayList<>();
        NodePath at = error.getInstanceLocation();
        for (int i = 0; i < at.getNameCount(); i++) {
            steps.add(at.getElement(i));
        }
        String keyword = error.getKeyword();
        if (("required".equals(keyword) || "additionalProperties".equals(keyword)) && error.getProperty() != null) {
            steps.add(error.getProperty());
        } else if ("dependentRequired".equals(keyword) && error.getArguments() != null && error.getArguments().length > 0) {
            // the validator's arguments are (missing, present): the one to add is named
            steps.add(String.valueOf(error.getArguments()[0]));
        }
        return steps;
    }

    private static String describe(Error error) {
        String argument = argumentOf(error);
        String message = error.getMessage();
        return argument == null ? message : "'" + argument + "': " + message;
    }
}

package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
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
 * {@code details.argument} names the first argument at fault. Nothing has run when it refuses.
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

    /** The top-level argument an error is about: the missing or unknown name, else the first step of its location. */
    static String argumentOf(Error error) {
        String keyword = error.getKeyword();
        if (("required".equals(keyword) || "additionalProperties".equals(keyword)) && error.getProperty() != null
                && error.getInstanceLocation().getNameCount() == 0) {
            return error.getProperty();
        }
        return error.getInstanceLocation().getNameCount() == 0 ? null : error.getInstanceLocation().getName(0);
    }

    private static String describe(Error error) {
        String argument = argumentOf(error);
        String message = error.getMessage();
        return argument == null ? message : "'" + argument + "': " + message;
    }
}

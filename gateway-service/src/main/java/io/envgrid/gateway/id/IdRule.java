package io.envgrid.gateway.id;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * envgrid's one rule for ids (docs/isolation.md), the only place the gateway checks it: worker,
 * resource and request ids {@code [A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}}, resource types
 * {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,63}}. Every door (MCP tool arguments and session binding, the
 * Sandbox API) calls it before anything is bound, allocated or released; a refusal is
 * {@code 400 INVALID_ID} naming the field.
 */
public final class IdRule {

    /** Worker, resource and request ids. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}");
    /** Resource type names ({@code #} is reserved for the {@code type#2} keys of repeated types). */
    public static final Pattern TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    /** Tool arguments that carry ids, and the rule each follows; one list for every tool. */
    private static final List<String> ID_ARGUMENTS = List.of("worker_id", "resource_id");
    private static final List<String> ID_LIST_ARGUMENTS = List.of("resource_ids");
    private static final List<String> TYPE_ARGUMENTS = List.of("resource_type");
    private static final List<String> TYPE_LIST_ARGUMENTS = List.of("resource_types");

    private IdRule() {
    }

    public static boolean isId(String value) {
        return value != null && ID.matcher(value).matches();
    }

    public static boolean isType(String value) {
        return value != null && TYPE.matcher(value).matches();
    }

    /** {@code value} when it is an id; else 400 {@code INVALID_ID} naming {@code field}. */
    public static String requireId(String field, String value) {
        if (!isId(value)) {
            throw invalid(field, value, "an id: 1 to 200 of A-Z a-z 0-9 . _ : @ / -, starting with a letter or digit");
        }
        return value;
    }

    /** {@code value} when it is a resource type name; else 400 {@code INVALID_ID}. */
    public static String requireType(String field, String value) {
        if (!isType(value)) {
            throw invalid(field, value, "a resource type: 1 to 64 of A-Z a-z 0-9 _ . -, starting with a letter or digit");
        }
        return value;
    }

    /**
     * Checks every id-bearing argument of a tool call that is present and a string (a wrong JSON
     * type is left to the tool's own parameter check, which names it); list arguments item by
     * item. Called before the MCP session is bound and before any tool runs.
     */
    public static void checkArguments(ObjectNode arguments) {
        for (String field : ID_ARGUMENTS) {
            textOf(arguments, field, (f, v) -> requireId(f, v));
        }
        for (String field : TYPE_ARGUMENTS) {
            textOf(arguments, field, (f, v) -> requireType(f, v));
        }
        for (String field : ID_LIST_ARGUMENTS) {
            itemsOf(arguments, field, (f, v) -> requireId(f, v));
        }
        for (String field : TYPE_LIST_ARGUMENTS) {
            itemsOf(arguments, field, (f, v) -> requireType(f, v));
        }
    }

    private interface Check {
        void apply(String field, String value);
    }

    private static void textOf(ObjectNode arguments, String field, Check check) {
        JsonNode value = arguments.get(field);
        if (value != null && value.isTextual()) {
            check.apply(field, value.asText());
        }
    }

    private static void itemsOf(ObjectNode arguments, String field, Check check) {
        JsonNode value = arguments.get(field);
        if (value != null && value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                if (value.get(i).isTextual()) {
                    check.apply(field + "[" + i + "]", value.get(i).asText());
                }
            }
        }
    }

    private static ToolFailure invalid(String field, String value, String rule) {
        // the value is echoed only when short: a megabyte of hostile input does not come back in the answer
        String shown = value == null ? "null" : value.length() > 64 ? value.substring(0, 64) + "…" : value;
        return new ToolFailure(400, ErrorCode.INVALID_ID, "'" + field + "' must be " + rule + "; got '" + shown + "'",
                Map.of("field", field));
    }
}

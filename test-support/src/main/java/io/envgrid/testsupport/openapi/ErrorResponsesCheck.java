package io.envgrid.testsupport.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What every service's OpenAPI document must say of its errors (openapi-errors): the envelope's schema
 * ({@code components.schemas.ErrorEnvelope}), at least one 4xx on every operation whose content is that schema, and on
 * every 4xx/5xx response with JSON content the schema and at least one example, each example's {@code error.code} one
 * of the service's codes.
 */
public final class ErrorResponsesCheck {

    /** The reference an error response's content makes to the envelope. */
    public static final String REF = "#/components/schemas/ErrorEnvelope";

    private ErrorResponsesCheck() {
    }

    /**
     * The codes a service's {@code ErrorCode} class declares: the values of its {@code public static final String}
     * fields, read reflectively (tests only; the services read no class this way).
     */
    public static Set<String> codesOf(Class<?> errorCodes) {
        Set<String> codes = new TreeSet<>();
        for (Field field : errorCodes.getFields()) {
            int m = field.getModifiers();
            if (Modifier.isStatic(m) && Modifier.isFinal(m) && field.getType() == String.class) {
                try {
                    codes.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return codes;
    }

    /** Each way {@code document} falls short, one line each ("METHOD /path: what"); empty when it does not. */
    public static List<String> problems(JsonNode document, Set<String> codes) {
        List<String> problems = new ArrayList<>();
        JsonNode error = document.path("components").path("schemas").path("ErrorEnvelope").path("properties")
                .path("error").path("properties");
        for (String field : List.of("code", "message", "details", "timestamp")) {
            if (error.path(field).isMissingNode()) {
                problems.add("components.schemas.ErrorEnvelope: no error." + field);
            }
        }
        int operations = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!op.getValue().has("responses")) {
                    continue; // "parameters", "summary", …: not an operation
                }
                operations++;
                String where = op.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey();
                problems.addAll(operationProblems(where, op.getValue().path("responses"), codes));
            }
        }
        if (operations == 0) {
            problems.add("the document has no operations");
        }
        return problems;
    }

    private static List<String> operationProblems(String where, JsonNode responses, Set<String> codes) {
        List<String> problems = new ArrayList<>();
        boolean envelope4xx = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = responses.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> response = it.next();
            String status = response.getKey();
            if (!status.startsWith("4") && !status.startsWith("5")) {
                continue;
            }
            boolean json = false;
            for (Iterator<Map.Entry<String, JsonNode>> media = response.getValue().path("content").fields();
                    media.hasNext(); ) {
                Map.Entry<String, JsonNode> type = media.next();
                if (!type.getKey().contains("json")) {
                    continue;
                }
                json = true;
                if (!REF.equals(type.getValue().path("schema").path("$ref").asText())) {
                    problems.add(where + " " + status + ": schema is not the envelope");
                    continue;
                }
                envelope4xx |= status.startsWith("4");
                JsonNode examples = type.getValue().path("examples");
                if (examples.isEmpty()) {
                    problems.add(where + " " + status + ": no example");
                }
                for (Iterator<Map.Entry<String, JsonNode>> ex = examples.fields(); ex.hasNext(); ) {
                    Map.Entry<String, JsonNode> example = ex.next();
                    JsonNode code = example.getValue().path("value").path("error").path("code");
                    if (!code.isTextual() || !codes.contains(code.asText())) {
                        problems.add(where + " " + status + " example '" + example.getKey() + "': code " + code
                                + " is not one of the service's codes");
                    }
                }
            }
            if (!json) {
                problems.add(where + " " + status + ": no JSON content");
            }
        }
        if (!envelope4xx) {
            problems.add(where + ": no 4xx response with the envelope");
        }
        return problems;
    }
}

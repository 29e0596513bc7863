package io.envgrid.deviceagent.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The operations of an OpenAPI 3 document: method, path template, parameters and request-body schemas per media type. */
final class OpenApiOperations {

    /** A path, query or header parameter with its schema ({@code {}} when the document gives none). */
    record Param(String name, String in, JsonNode schema, boolean required) {
    }

    /** One operation; {@code bodies} maps each declared request media type to its schema (resolved). */
    record Operation(String method, String path, List<Param> params, Map<String, JsonNode> bodies) {

        String key() {
            return method + " " + path;
        }
    }

    private OpenApiOperations() {
    }

    /** Every operation of {@code document}, with {@code $ref}s to {@code #/components/schemas/...} resolved. */
    static List<Operation> of(JsonNode document) {
        List<Operation> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            List<Param> shared = params(document, path.getValue().path("parameters"));
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> method = methods.next();
                if (method.getKey().equals("parameters")) {
                    continue;
                }
                List<Param> params = new ArrayList<>(shared);
                params.addAll(params(document, method.getValue().path("parameters")));
                Map<String, JsonNode> bodies = new LinkedHashMap<>();
                method.getValue().path("requestBody").path("content").fields()
                        .forEachRemaining(c -> bodies.put(c.getKey(), resolve(document, c.getValue().path("schema"))));
                operations.add(new Operation(method.getKey().toUpperCase(java.util.Locale.ROOT), path.getKey(), params,
                        bodies));
            }
        }
        return operations;
    }

    private static List<Param> params(JsonNode document, JsonNode list) {
        List<Param> params = new ArrayList<>();
        for (JsonNode p : list) {
            JsonNode param = resolve(document, p);
            params.add(new Param(param.path("name").asText(), param.path("in").asText(),
                    resolve(document, param.path("schema")), param.path("required").asBoolean(false)));
        }
        return params;
    }

    /** Follows a local {@code $ref} (one level is all SmallRye writes for these routes; nested ones on use). */
    static JsonNode resolve(JsonNode document, JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; hops < 10 && current.has("$ref"); hops++) {
            String ref = current.get("$ref").asText();
            current = ref.startsWith("#/") ? document.at(ref.substring(1)) : current;
        }
        return current;
    }
}

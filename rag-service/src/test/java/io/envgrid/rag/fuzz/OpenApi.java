package io.envgrid.rag.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The operations of an OpenAPI 3 document, one per path, method and request media type, with their
 * parameters and body schemas ({@code $ref}s into {@code components/schemas} resolved when asked).
 */
final class OpenApi {

    /** A path, query or header parameter. */
    record Parameter(String name, String in, boolean required, JsonNode schema) {
    }

    /** @param mediaType the request body's media type, or null for an operation without a body */
    record Operation(String method, String path, List<Parameter> parameters, String mediaType, JsonNode bodySchema) {

        @Override
        public String toString() {
            return method + " " + path + (mediaType == null ? "" : " (" + mediaType + ")");
        }
    }

    private final JsonNode document;

    OpenApi(JsonNode document) {
        this.document = document;
    }

    List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> method = methods.next();
                List<Parameter> parameters = new ArrayList<>();
                for (JsonNode parameter : method.getValue().path("parameters")) {
                    parameters.add(new Parameter(parameter.path("name").asText(), parameter.path("in").asText(),
                            parameter.path("required").asBoolean(false), resolve(parameter.path("schema"))));
                }
                JsonNode content = method.getValue().path("requestBody").path("content");
                String verb = method.getKey().toUpperCase(Locale.ROOT);
                if (content.isEmpty()) {
                    operations.add(new Operation(verb, path.getKey(), parameters, null, MissingNode.getInstance()));
                }
                for (Iterator<Map.Entry<String, JsonNode>> types = content.fields(); types.hasNext(); ) {
                    Map.Entry<String, JsonNode> type = types.next();
                    operations.add(new Operation(verb, path.getKey(), parameters, type.getKey(), resolve(type.getValue().path("schema"))));
                }
            }
        }
        return operations;
    }

    /** The schema itself, or the one its {@code $ref} names. */
    JsonNode resolve(JsonNode schema) {
        JsonNode current = schema;
        for (int hops = 0; current.has("$ref") && hops < 10; hops++) {
            String ref = current.get("$ref").asText();
            current = document.at(ref.startsWith("#") ? ref.substring(1) : ref);
        }
        return current;
    }
}

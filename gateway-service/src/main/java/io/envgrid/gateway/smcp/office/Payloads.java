package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reading event arguments: the payload is one JSON object; 0.5 refuses anything else (400). */
final class Payloads {

    private Payloads() {
    }

    /** The first argument when it is an object, else null. */
    static ObjectNode first(ArrayNode args) {
        return args.size() >= 1 && args.get(0) instanceof ObjectNode o ? o : null;
    }

    /** The single object argument a 0.5 event must carry, else null (none, not an object, extra arguments). */
    static ObjectNode only(ArrayNode args) {
        return args.size() == 1 ? first(args) : null;
    }

    /** A string field, or null when absent or not a string. */
    static String text(ObjectNode payload, String field) {
        JsonNode value = payload == null ? null : payload.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}

package io.envgrid.rag.api;

import io.envgrid.rag.error.ApiException;
import io.envgrid.rag.error.ErrorCode;
import io.envgrid.rag.index.CollectionNames;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks shared by the endpoints; each failure is a 400 that names the field. */
final class Validation {

    static final Pattern DOCUMENT_ID = Pattern.compile(Limits.DOCUMENT_ID_RULE);
    /** Metadata keys become Lucene field names of filters. */
    static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private Validation() {
    }

    /** Collection names from a path or a body: the one rule of {@link CollectionNames}, a 400 INVALID_ID otherwise. */
    static String requireCollection(String name) {
        return CollectionNames.require(name);
    }

    /** A document id taken from the URL path. */
    static String requireDocumentId(String id) {
        String problem = documentIdProblem(id);
        if (problem != null) {
            throw new ApiException(400, ErrorCode.INVALID_ID, problem, Map.of("rule", DOCUMENT_ID.pattern()));
        }
        return id;
    }

    /** @return the reason the id is not acceptable, or null */
    static String documentIdProblem(String id) {
        if (id == null || id.isBlank()) {
            return "'id' is required";
        }
        return DOCUMENT_ID.matcher(id).matches() ? null : "'id' must match " + DOCUMENT_ID.pattern();
    }

    /** @return the reason the metadata is not acceptable, or null */
    static String metadataProblem(Map<String, Object> metadata) {
        if (metadata == null) {
            return null;
        }
        if (metadata.size() > Limits.MAX_METADATA_ENTRIES) {
            return "at most " + Limits.MAX_METADATA_ENTRIES + " metadata entries, got " + metadata.size();
        }
        for (Map.Entry<String, Object> entry : metadata.entrySet()) {
            String problem = entryProblem("metadata", entry.getKey(), entry.getValue());
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** Filters match metadata values exactly, compared as strings: 3 matches 3, "true" matches true. */
    static Map<String, String> filters(Map<String, Object> filters) {
        Map<String, String> result = new LinkedHashMap<>();
        if (filters == null) {
            return result;
        }
        if (filters.size() > Limits.MAX_FILTERS) {
            throw ApiException.badRequest("at most " + Limits.MAX_FILTERS + " filters, got " + filters.size());
        }
        for (Map.Entry<String, Object> entry : filters.entrySet()) {
            String problem = entryProblem("filter", entry.getKey(), entry.getValue());
            if (problem != null) {
                throw ApiException.badRequest("filters: " + problem);
            }
            result.put(entry.getKey(), String.valueOf(entry.getValue()));
        }
        return result;
    }

    /** A metadata entry or a filter: a key usable as a field name, a scalar value that fits in one index term. */
    private static String entryProblem(String what, String key, Object value) {
        if (!METADATA_KEY.matcher(key).matches()) {
            return what + " key '" + echo(key) + "' must match " + METADATA_KEY.pattern();
        }
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            return what + " value of '" + key + "' must be a string, number or boolean";
        }
        if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
            return what + " value of '" + key + "' must be a finite number";
        }
        if (String.valueOf(value).length() > Limits.MAX_METADATA_VALUE_CHARS) {
            return what + " value of '" + key + "' is longer than " + Limits.MAX_METADATA_VALUE_CHARS + " characters";
        }
        return null;
    }

    /** A client's value as an error message repeats it: bounded, so a huge bad value does not come back whole. */
    static String echo(String value) {
        if (value == null) {
            return "null";
        }
        if (value.length() <= Limits.ECHO_CHARS) {
            return value;
        }
        int end = Character.isHighSurrogate(value.charAt(Limits.ECHO_CHARS - 1)) ? Limits.ECHO_CHARS - 1 : Limits.ECHO_CHARS;
        return value.substring(0, end) + "…";
    }
}

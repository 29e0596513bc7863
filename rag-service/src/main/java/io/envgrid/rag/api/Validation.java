package io.envgrid.rag.api;

import io.envgrid.rag.error.ApiException;
import io.envgrid.rag.index.IndexSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks shared by the endpoints; each failure is a 400 that names the field. */
final class Validation {

    /** Document ids: no spaces or control characters, bounded length. */
    static final Pattern DOCUMENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}");
    /** Collection names become directory names, so they are kept to a safe alphabet. */
    private static final Pattern COLLECTION = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    /** Metadata keys become Lucene field names of filters. */
    private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private Validation() {
    }

    static String requireCollection(String name) {
        if (name == null || !COLLECTION.matcher(name).matches()) {
            throw ApiException.badRequest("collection name must match " + COLLECTION.pattern());
        }
        return name;
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
        for (Map.Entry<String, Object> entry : metadata.entrySet()) {
            if (!METADATA_KEY.matcher(entry.getKey()).matches()) {
                return "metadata key '" + entry.getKey() + "' must match " + METADATA_KEY.pattern();
            }
            if (!isScalar(entry.getValue())) {
                return "metadata value of '" + entry.getKey() + "' must be a string, number or boolean";
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
        // Each filter is a clause of the Lucene query, next to at most QueryTerms.MAX_TERMS term clauses.
        if (filters.size() > IndexSnapshot.MAX_FILTERS) {
            throw ApiException.badRequest("at most " + IndexSnapshot.MAX_FILTERS + " filters, got " + filters.size());
        }
        String problem = metadataProblem(filters);
        if (problem != null) {
            throw ApiException.badRequest("filters: " + problem);
        }
        filters.forEach((key, value) -> result.put(key, String.valueOf(value)));
        return result;
    }

    private static boolean isScalar(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean;
    }
}

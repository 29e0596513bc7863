package io.envgrid.rag.api;

import io.envgrid.rag.error.ApiException;
import io.envgrid.rag.index.CollectionNames;
import io.envgrid.rag.search.SearchMode;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** {@code POST /search}: top_k defaults to 5, mode to hybrid, collection to the configured default. */
public record SearchRequest(
        @Schema(required = true, minLength = 1, maxLength = Limits.MAX_QUERY_CHARS,
                description = "Free text; past " + Limits.MAX_QUERY_TERMS + " distinct analysed terms the rarest in the collection are used")
        String query,
        @Schema(minimum = "1", maximum = "" + Limits.MAX_TOP_K, defaultValue = "5")
        Integer topK,
        @Schema(pattern = CollectionNames.RULE, description = "the configured default collection when absent")
        String collection,
        @Schema(enumeration = {"hybrid", "bm25", "dense"}, defaultValue = "hybrid")
        String mode,
        @Schema(maxProperties = Limits.MAX_FILTERS,
                description = "metadata key → string, number or boolean (at most " + Limits.MAX_METADATA_VALUE_CHARS + " characters), matched exactly")
        Map<String, Object> filters) {

    int topKOrDefault() {
        if (topK == null) {
            return 5;
        }
        if (topK < 1 || topK > Limits.MAX_TOP_K) {
            throw ApiException.badRequest("'top_k' must be between 1 and " + Limits.MAX_TOP_K);
        }
        return topK;
    }

    String validQuery() {
        if (query == null || query.isBlank()) {
            throw ApiException.badRequest("'query' is required and must not be blank");
        }
        if (query.length() > Limits.MAX_QUERY_CHARS) {
            throw ApiException.badRequest("'query' is longer than " + Limits.MAX_QUERY_CHARS + " characters");
        }
        return query;
    }

    SearchMode modeOrDefault() {
        if (mode == null) {
            return SearchMode.HYBRID;
        }
        return SearchMode.parse(mode).orElseThrow(() -> ApiException.badRequest("'mode' must be one of "
                + Arrays.stream(SearchMode.values()).map(SearchMode::wireName).collect(Collectors.joining(", "))));
    }

    /** The named collection, checked against the one name rule, or the default when none is named. */
    String collectionOr(String defaultCollection) {
        return collection == null ? defaultCollection : Validation.requireCollection(collection);
    }
}

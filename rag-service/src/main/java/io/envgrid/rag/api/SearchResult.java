package io.envgrid.rag.api;

import io.envgrid.rag.index.Hit;
import io.envgrid.rag.search.Snippets;
import java.util.Map;

/**
 * One ranked document: its best chunk as {@code text}, and as {@code snippet} the passage of that chunk
 * that best matches the query, with the query terms marked {@code <em>…</em>} (see {@link Snippets}).
 */
public record SearchResult(String id, double score, String text, String snippet, Map<String, Object> metadata) {

    static SearchResult of(Hit hit, Snippets snippets) {
        return new SearchResult(hit.id(), hit.score(), hit.text(), snippets.of(hit.text()), hit.metadata());
    }
}

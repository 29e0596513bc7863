package io.envgrid.rag.api;

import java.util.List;

/** Ranked results, best first, and the server-side time spent ranking. */
public record SearchResponse(List<SearchResult> results, long tookMs) {
}

package io.envgrid.rag.eval;

import io.envgrid.rag.index.Document;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A test collection in memory: documents, queries in file order, and per query the graded gain of each
 * judged document (for nDCG) and the set counted as relevant (for MAP and recall).
 */
public record EvalDataset(String name, List<Document> corpus, Map<String, String> queries,
        Map<String, Map<String, Integer>> gains, Map<String, Set<String>> relevant) {
}

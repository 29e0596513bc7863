package io.envgrid.rag.search;

import io.envgrid.rag.index.Candidate;
import io.envgrid.rag.index.CollectionIndex;
import io.envgrid.rag.index.Hit;
import io.envgrid.rag.index.IndexSnapshot;
import io.envgrid.rag.index.QueryTerms;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Ranks a collection in one of the three modes; hybrid is reciprocal-rank fusion of the other two. */
public final class Retriever {

    /** The constant of Cormack et al.'s reciprocal-rank fusion; damps the weight of the very top ranks. */
    static final int RRF_K = 60;
    /** Depth of each list fused: deep enough that a document ranked well by one side only still counts. */
    static final int FUSION_DEPTH = 100;

    private Retriever() {
    }

    /** The ranked documents, and the query terms the ranking and the snippets use (the same in every mode). */
    public record Ranking(List<Hit> hits, QueryTerms terms) {
    }

    public static List<Hit> search(CollectionIndex index, SearchMode mode, String query, int topK, Map<String, String> filters) {
        return rank(index, mode, query, topK, filters).hits();
    }

    /**
     * Both rankings of a hybrid search come from one snapshot, so a commit in between cannot mix them. The
     * terms are chosen once, so BM25 (alone or in hybrid) and the snippets agree on them; dense embeds the
     * query text, which the model reads whole (in windows of its 512 tokens) however many terms it has.
     */
    public static Ranking rank(CollectionIndex index, SearchMode mode, String query, int topK, Map<String, String> filters) {
        try (IndexSnapshot snapshot = index.snapshot()) {
            QueryTerms terms = snapshot.queryTerms(query);
            List<Candidate> ranked = switch (mode) {
                case BM25 -> snapshot.bm25(terms, topK, filters);
                case DENSE -> snapshot.dense(query, topK, filters);
                case HYBRID -> fuse(List.of(
                        snapshot.bm25(terms, Math.max(topK, FUSION_DEPTH), filters),
                        snapshot.dense(query, Math.max(topK, FUSION_DEPTH), filters)), topK);
            };
            return new Ranking(snapshot.hits(ranked), terms);
        }
    }

    /** Sum of 1 / (k + rank) over the lists a document appears in; the chunk shown is from its first list. */
    static List<Candidate> fuse(List<List<Candidate>> rankings, int topK) {
        Map<Integer, Double> scores = new HashMap<>();
        Map<Integer, Candidate> firstSeen = new LinkedHashMap<>();
        for (List<Candidate> ranking : rankings) {
            for (int rank = 0; rank < ranking.size(); rank++) {
                Candidate candidate = ranking.get(rank);
                scores.merge(candidate.document(), 1.0 / (RRF_K + rank + 1), Double::sum);
                firstSeen.putIfAbsent(candidate.document(), candidate);
            }
        }
        List<Candidate> fused = new ArrayList<>();
        firstSeen.forEach((document, first) -> fused.add(new Candidate(document, first.chunk(), scores.get(document))));
        fused.sort(Comparator.comparingDouble(Candidate::score).reversed());
        return fused.subList(0, Math.min(topK, fused.size()));
    }
}

package io.envgrid.rag.search;

import io.envgrid.rag.index.Candidate;
import io.envgrid.rag.index.CollectionIndex;
import io.envgrid.rag.index.Hit;
import io.envgrid.rag.index.IndexSnapshot;
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

    /** Both rankings of a hybrid search come from one snapshot, so a commit in between cannot mix them. */
    public static List<Hit> search(CollectionIndex index, SearchMode mode, String query, int topK, Map<String, String> filters) {
        try (IndexSnapshot snapshot = index.snapshot()) {
            List<Candidate> ranked = switch (mode) {
                case BM25 -> snapshot.bm25(query, topK, filters);
                case DENSE -> snapshot.dense(query, topK, filters);
                case HYBRID -> fuse(List.of(
                        snapshot.bm25(query, Math.max(topK, FUSION_DEPTH), filters),
                        snapshot.dense(query, Math.max(topK, FUSION_DEPTH), filters)), topK);
            };
            return snapshot.hits(ranked);
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

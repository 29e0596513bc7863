package io.envgrid.rag.eval;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The standard per-query measures, as trec_eval computes them (linear gains for nDCG). */
public final class RankingMetrics {

    private RankingMetrics() {
    }

    public static double ndcg(List<String> ranking, Map<String, Integer> gains, int depth) {
        double dcg = 0;
        for (int i = 0; i < Math.min(depth, ranking.size()); i++) {
            dcg += gains.getOrDefault(ranking.get(i), 0) / log2(i + 2);
        }
        List<Integer> ideal = gains.values().stream().filter(g -> g > 0).sorted((a, b) -> b - a).toList();
        double idcg = 0;
        for (int i = 0; i < Math.min(depth, ideal.size()); i++) {
            idcg += ideal.get(i) / log2(i + 2);
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    /** Average precision over the ranking as retrieved; relevant documents not retrieved count as zero. */
    public static double averagePrecision(List<String> ranking, Set<String> relevant) {
        double sum = 0;
        int found = 0;
        for (int i = 0; i < ranking.size(); i++) {
            if (relevant.contains(ranking.get(i))) {
                found++;
                sum += (double) found / (i + 1);
            }
        }
        return relevant.isEmpty() ? 0 : sum / relevant.size();
    }

    public static double recall(List<String> ranking, Set<String> relevant, int depth) {
        long found = ranking.stream().limit(depth).filter(relevant::contains).count();
        return relevant.isEmpty() ? 0 : (double) found / relevant.size();
    }

    private static double log2(int x) {
        return Math.log(x) / Math.log(2);
    }
}

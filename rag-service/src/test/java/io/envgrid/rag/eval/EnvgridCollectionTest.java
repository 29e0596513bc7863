package io.envgrid.rag.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.rag.index.HashingEmbedder;
import io.envgrid.rag.search.SearchMode;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The envgrid collection (in the repository, so these run on a fresh clone): BM25 ranks it well above what a
 * broken analyzer or ranking would, and Lucene's BM25 agrees with the textbook one on it.
 */
class EnvgridCollectionTest {

    /**
     * BM25 (k1 0.9, b 0.4) with the English analyzer scores nDCG@10 0.883 here; the same ranking over bare
     * whitespace tokens (no lower case, stemming or stop words) scores 0.755.
     */
    private static final double NDCG10_FLOOR = 0.80;

    private static EvalDataset envgrid;

    @BeforeAll
    static void read() {
        envgrid = TestCollections.envgrid();
    }

    @Test
    void theCollectionIsWhole() {
        assertEquals(42, envgrid.corpus().size());
        assertEquals(13, envgrid.queries().size());
    }

    @Test
    void bm25IsAboveTheFloor() throws Exception {
        Evaluation.Scores bm25 = Evaluation.evaluate(envgrid, new HashingEmbedder(), List.of(SearchMode.BM25)).get(SearchMode.BM25);
        assertTrue(bm25.ndcg10() > NDCG10_FLOOR, "nDCG@10 " + bm25.ndcg10() + " is below " + NDCG10_FLOOR);
    }

    @Test
    void luceneAndTextbookBm25Agree() throws Exception {
        Evaluation.Agreement agreement = Evaluation.withIndex(envgrid, new HashingEmbedder(),
                index -> Evaluation.compareWithTextbook(envgrid, index));
        assertTrue(Math.abs(agreement.lucene().ndcg10() - agreement.textbook().ndcg10()) <= 0.01, agreement.toString());
        assertTrue(agreement.meanTop10Overlap() >= 0.95, agreement.toString());
    }
}

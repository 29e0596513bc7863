package io.envgrid.rag.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.rag.index.HashingEmbedder;
import io.envgrid.rag.search.SearchMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BM25 on the whole Cranfield collection in a few seconds: a guard that the analyzer, the similarity and
 * the ranking still work. The full three-mode evaluation is the -Peval profile.
 */
class CranfieldBm25SmokeTest {

    /** BM25 (k1 0.9, b 0.4) over title and abstract scores 0.348 here; a broken analyzer or ranking scores far less. */
    private static final double NDCG10_FLOOR = 0.30;

    @Test
    void bm25OnCranfieldIsAboveTheFloor() throws Exception {
        EvalDataset cranfield = TestCollections.cranfieldOrSkip();
        assertEquals(225, cranfield.queries().size());
        Evaluation.Scores bm25 = Evaluation.evaluate(cranfield, new HashingEmbedder(), List.of(SearchMode.BM25)).get(SearchMode.BM25);
        assertTrue(bm25.ndcg10() > NDCG10_FLOOR, "nDCG@10 " + bm25.ndcg10() + " is below " + NDCG10_FLOOR);
    }
}

package io.envgrid.rag.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.rag.index.HashingEmbedder;
import org.junit.jupiter.api.Test;

/**
 * Lucene's BM25 in the service ranks Cranfield as a textbook BM25 with the same parameters and tokens does.
 * Measured: nDCG@10, MAP and Recall@100 within 0.002, top-10 overlap 0.99, the same top 10 in 150 of 225
 * queries; the rest is Lucene's one-byte document lengths (with lengths rounded as SmallFloat rounds them,
 * the reference gives the same top 10 in all 225 queries).
 */
class TextbookBm25AgreementTest {

    @Test
    void luceneAndTextbookBm25AgreeOnCranfield() throws Exception {
        EvalDataset cranfield = TestCollections.cranfieldOrSkip();
        Evaluation.Agreement agreement = Evaluation.withIndex(cranfield, new HashingEmbedder(),
                index -> Evaluation.compareWithTextbook(cranfield, index));
        Evaluation.Scores lucene = agreement.lucene();
        Evaluation.Scores textbook = agreement.textbook();
        assertTrue(Math.abs(lucene.ndcg10() - textbook.ndcg10()) <= 0.01, agreement.toString());
        assertTrue(Math.abs(lucene.map() - textbook.map()) <= 0.01, agreement.toString());
        assertTrue(Math.abs(lucene.recall100() - textbook.recall100()) <= 0.01, agreement.toString());
        assertTrue(agreement.meanTop10Overlap() >= 0.95, agreement.toString());
        assertTrue(agreement.identicalTop10() >= agreement.queries() / 2, agreement.toString());
    }
}

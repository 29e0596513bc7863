package io.envgrid.rag.eval;

import io.envgrid.rag.index.Chunker;
import io.envgrid.rag.index.Document;
import io.envgrid.rag.index.EnglishText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Okapi BM25 as the textbooks write it, in plain Java with exact document lengths, as a reference for the
 * Lucene ranking of the service: score(q, d) = Σ over the query's terms t of
 * idf(t) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · |d| / avgdl)), with idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 * and k1 = 0.9, b = 0.4 (Anserini's defaults).
 *
 * <p>It ranks the same units over the same tokens as the index: each chunk of a document with the title in
 * front, analyzed by {@link EnglishText}; N, df, |d| and avgdl count chunks and their tokens, and a
 * document scores as its best chunk. A term repeated in the query counts once per occurrence, as Lucene's
 * one clause per query token does. What differs from Lucene is only arithmetic: Lucene drops the constant
 * factor (k1 + 1), computes in float, and stores |d| in one byte (SmallFloat), exact for short lengths and
 * rounded down for longer ones.
 */
public final class TextbookBm25 {

    static final double K1 = 0.9;
    static final double B = 0.4;

    /** Per chunk, the id of its document, in indexing order. */
    private final List<String> chunkDocuments = new ArrayList<>();
    private final List<Integer> chunkLengths = new ArrayList<>();
    /** Term to the chunks containing it, each as {chunk, term frequency}. */
    private final Map<String, List<int[]>> postings = new HashMap<>();
    private final double averageLength;

    public TextbookBm25(List<Document> corpus, Chunker chunker) {
        long totalLength = 0;
        for (Document document : corpus) {
            String title = document.title() == null ? "" : document.title();
            for (String chunk : chunker.chunks(document.text())) {
                List<String> terms = EnglishText.terms(title + "\n" + chunk);
                Map<String, Integer> frequencies = new LinkedHashMap<>();
                terms.forEach(term -> frequencies.merge(term, 1, Integer::sum));
                int id = chunkDocuments.size();
                frequencies.forEach((term, tf) -> postings.computeIfAbsent(term, t -> new ArrayList<>()).add(new int[] {id, tf}));
                chunkDocuments.add(document.id());
                chunkLengths.add(terms.size());
                totalLength += terms.size();
            }
        }
        averageLength = chunkDocuments.isEmpty() ? 0 : (double) totalLength / chunkDocuments.size();
    }

    /** Document ids by descending score, at most {@code depth}; documents without a query term are left out. */
    public List<String> rank(String query, int depth) {
        int n = chunkDocuments.size();
        double[] scores = new double[n];
        for (String term : EnglishText.terms(query)) {
            List<int[]> chunks = postings.getOrDefault(term, List.of());
            double df = chunks.size();
            double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
            for (int[] posting : chunks) {
                double tf = posting[1];
                double norm = K1 * (1 - B + B * chunkLengths.get(posting[0]) / averageLength);
                scores[posting[0]] += idf * tf * (K1 + 1) / (tf + norm);
            }
        }
        List<Integer> matched = new ArrayList<>();
        for (int chunk = 0; chunk < n; chunk++) {
            if (scores[chunk] > 0) {
                matched.add(chunk);
            }
        }
        // Ties in indexing order, as Lucene breaks them by document number.
        matched.sort((a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a]) : Integer.compare(a, b));
        List<String> ranking = new ArrayList<>();
        for (int chunk : matched) {
            String document = chunkDocuments.get(chunk);
            if (ranking.size() == depth) {
                break;
            }
            if (!ranking.contains(document)) {
                ranking.add(document);
            }
        }
        return ranking;
    }
}

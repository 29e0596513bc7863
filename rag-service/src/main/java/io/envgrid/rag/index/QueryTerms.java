package io.envgrid.rag.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.Term;

/**
 * The analysed terms a query is searched with: each distinct term once, in query order, with the number of
 * times the query holds it (a repeated term weighs that many times, as repeated BM25 clauses would).
 *
 * <p>A query keeps at most {@link #MAX_TERMS} distinct terms. Past that, the terms kept are the most
 * informative for this collection: first those that occur in it (a term that occurs nowhere matches
 * nothing), rarest first (highest IDF), then the more repeated, then the earlier. The cap exists because
 * every term is a clause of one Lucene query and Lucene refuses queries of more than 1,024 clauses;
 * 1,100 CJK ideographs (one term each) used to end as a 500.
 */
public record QueryTerms(Map<String, Integer> counts, int dropped) {

    /** Together with {@link IndexSnapshot#MAX_FILTERS} and one clause for the rest, inside Lucene's 1,024. */
    public static final int MAX_TERMS = 1000;

    public QueryTerms {
        counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    /** All distinct terms of the query, uncapped. */
    public static QueryTerms of(String query) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        EnglishText.terms(query).forEach(term -> counts.merge(term, 1, Integer::sum));
        return new QueryTerms(counts, 0);
    }

    public Set<String> terms() {
        return counts.keySet();
    }

    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /** At most {@link #MAX_TERMS} terms, chosen by their document frequency in {@code field} of {@code reader}. */
    QueryTerms cappedFor(IndexReader reader, String field) {
        if (counts.size() <= MAX_TERMS) {
            return this;
        }
        List<String> order = new ArrayList<>(counts.keySet());
        Map<String, Integer> position = new LinkedHashMap<>();
        Map<String, Integer> documentFrequency = new LinkedHashMap<>();
        try {
            for (int i = 0; i < order.size(); i++) {
                position.put(order.get(i), i);
                documentFrequency.put(order.get(i), reader.docFreq(new Term(field, order.get(i))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Absent terms last (an absent term's IDF is undefined, and it cannot change a ranking).
        Comparator<String> informative = Comparator
                .comparingInt((String term) -> documentFrequency.get(term) == 0 ? Integer.MAX_VALUE : documentFrequency.get(term))
                .thenComparing(Comparator.comparingInt((String term) -> counts.get(term)).reversed())
                .thenComparingInt(position::get);
        Set<String> kept = new HashSet<>(order.stream().sorted(informative).limit(MAX_TERMS).toList());
        Map<String, Integer> capped = new LinkedHashMap<>();
        order.stream().filter(kept::contains).forEach(term -> capped.put(term, counts.get(term)));
        return new QueryTerms(capped, dropped + counts.size() - capped.size());
    }
}

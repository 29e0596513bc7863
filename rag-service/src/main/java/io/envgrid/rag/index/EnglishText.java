package io.envgrid.rag.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * The one analysis of text in this service (Lucene's English analyzer: lower case, stop words, Porter
 * stems). Indexing, query parsing, snippets and the reference BM25 of the evaluation all use it, so a
 * query term and a document term match exactly when they match in the index.
 */
public final class EnglishText {

    /** The field every analyzed text goes into; the English analyzer treats all fields alike. */
    public static final String FIELD = "body";
    /** Thread-safe: Lucene analyzers keep one token stream per thread. */
    public static final Analyzer ANALYZER = new EnglishAnalyzer();

    private EnglishText() {
    }

    /** The analyzed terms of the text, in order, repeats included. */
    public static List<String> terms(String text) {
        List<String> terms = new ArrayList<>();
        try (TokenStream stream = ANALYZER.tokenStream(FIELD, text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                terms.add(term.toString());
            }
            stream.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return terms;
    }
}

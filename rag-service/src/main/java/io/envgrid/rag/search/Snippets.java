package io.envgrid.rag.search;

import io.envgrid.rag.index.EnglishText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashSet;
import org.apache.lucene.search.highlight.Highlighter;
import org.apache.lucene.search.highlight.InvalidTokenOffsetsException;
import org.apache.lucene.search.highlight.QueryTermScorer;
import org.apache.lucene.search.highlight.SimpleFragmenter;
import org.apache.lucene.search.highlight.SimpleHTMLEncoder;
import org.apache.lucene.search.highlight.SimpleHTMLFormatter;
import org.apache.lucene.search.highlight.TextFragment;
import org.apache.lucene.search.highlight.WeightedTerm;

/**
 * The snippet of a hit: the passage of about {@link #FRAGMENT_CHARS} characters of its text that holds
 * the most distinct query terms, each occurrence wrapped in {@code <em>…</em>}. The rest of the text is
 * HTML-escaped, so a snippet is safe to render as HTML and the only tags in it are the marks. Terms match
 * after the same English analysis as the index, so "ices" marks "ice". When no query term occurs (a dense
 * hit can match on meaning alone), the snippet is the start of the text.
 *
 * <p>One instance per query: Lucene's highlighter is not thread-safe.
 */
public final class Snippets {

    /** Fragment size; a fragment closes at the first term that crosses it, so it can run one word longer. */
    public static final int FRAGMENT_CHARS = 200;
    public static final String MARK_OPEN = "<em>";
    public static final String MARK_CLOSE = "</em>";

    private final Highlighter highlighter;

    public Snippets(String query) {
        this(new LinkedHashSet<>(EnglishText.terms(query)));
    }

    /** @param terms analysed terms to mark, e.g. those a search ranked with ({@link io.envgrid.rag.index.QueryTerms}) */
    public Snippets(Collection<String> terms) {
        WeightedTerm[] weighted = terms.stream().distinct()
                .map(term -> new WeightedTerm(1f, term)).toArray(WeightedTerm[]::new);
        highlighter = new Highlighter(new SimpleHTMLFormatter(MARK_OPEN, MARK_CLOSE), new SimpleHTMLEncoder(),
                new QueryTermScorer(weighted));
        highlighter.setTextFragmenter(new SimpleFragmenter(FRAGMENT_CHARS));
    }

    public String of(String text) {
        try {
            // Not merged and not filtered by score, so a text without query terms still yields its first fragment.
            TextFragment[] best = highlighter.getBestTextFragments(
                    EnglishText.ANALYZER.tokenStream(EnglishText.FIELD, text), text, false, 1);
            return best.length == 0 ? "" : best[0].toString().strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InvalidTokenOffsetsException e) {
            throw new IllegalStateException("the analyzer produced offsets outside the text", e);
        }
    }
}

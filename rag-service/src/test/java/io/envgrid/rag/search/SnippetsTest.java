package io.envgrid.rag.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SnippetsTest {

    private static final String FILLER = "The committee met again on Tuesday and discussed the budget for next year at length. ";

    @Test
    void marksTheQueryTermsAfterAnalysisInTheBestPassage() {
        String text = FILLER.repeat(6) + "Supersonic flow over a swept wing produces shock waves near the leading edge. "
                + FILLER.repeat(6);
        String snippet = new Snippets("shock wave on swept wings").of(text);
        // Stemming: "wave" marks "waves", "wings" marks "wing"; the stop word "on" marks nothing.
        assertTrue(snippet.contains("<em>shock</em> <em>waves</em>"), snippet);
        assertTrue(snippet.contains("<em>swept</em> <em>wing</em>"), snippet);
        assertFalse(snippet.contains("<em>on</em>"), snippet);
        assertTrue(plain(snippet).length() <= Snippets.FRAGMENT_CHARS + 40, snippet);
        assertTrue(text.length() > 3 * Snippets.FRAGMENT_CHARS);
    }

    @Test
    void withoutAQueryTermTheSnippetIsTheStartOfTheText() {
        String snippet = new Snippets("hypersonic heating").of(FILLER.repeat(10));
        assertTrue(snippet.startsWith("The committee met again"), snippet);
        assertFalse(snippet.contains("<em>"), snippet);
        assertTrue(plain(snippet).length() <= Snippets.FRAGMENT_CHARS + 40, snippet);
    }

    @Test
    void aQueryOfStopWordsOnlyMarksNothing() {
        assertEquals("The wing of the aircraft.", new Snippets("the of").of("The wing of the aircraft."));
    }

    @Test
    void theTextIsHtmlEscapedSoTheMarksAreTheOnlyTags() {
        assertEquals("pressure &lt;b&gt; &amp; <em>drag</em>", new Snippets("drag").of("pressure <b> & drag"));
    }

    private static String plain(String snippet) {
        return snippet.replace(Snippets.MARK_OPEN, "").replace(Snippets.MARK_CLOSE, "");
    }
}

package io.envgrid.rag.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.Test;

/** Long queries keep their most informative terms, and every search stays inside Lucene's clause limit. */
class QueryTermsTest {

    /** 1,100 distinct CJK ideographs: one analysed term each. */
    private static final String IDEOGRAPHS = IntStream.range(0, 1100).mapToObj(i -> Character.toString(0x4e00 + i))
            .collect(Collectors.joining());

    @Test
    void termsAndFiltersFitInOneLuceneQuery() {
        assertTrue(QueryTerms.MAX_TERMS + IndexSnapshot.MAX_FILTERS + 1 <= IndexSearcher.getMaxClauseCount());
    }

    @Test
    void repeatsAreCountedOnce() {
        QueryTerms terms = QueryTerms.of("wing wing flutter wings");
        assertEquals(Map.of("wing", 3, "flutter", 1), terms.counts());
        assertEquals(List.of("wing", "flutter"), List.copyOf(terms.terms()));
    }

    @Test
    void aShortQueryIsKeptWhole() throws IOException {
        QueryTerms terms = QueryTerms.of("shock waves on swept wings");
        try (ByteBuffersDirectory directory = index(); DirectoryReader reader = DirectoryReader.open(directory)) {
            assertSame(terms, terms.cappedFor(reader, EnglishText.FIELD));
        }
    }

    @Test
    void pastTheCapTheRarestTermsThatOccurAreKept() throws IOException {
        QueryTerms all = QueryTerms.of(IDEOGRAPHS);
        assertEquals(1100, all.counts().size());
        try (ByteBuffersDirectory directory = index(); DirectoryReader reader = DirectoryReader.open(directory)) {
            QueryTerms capped = all.cappedFor(reader, EnglishText.FIELD);
            assertEquals(QueryTerms.MAX_TERMS, capped.counts().size());
            assertEquals(100, capped.dropped());
            // The last ideographs of the query occur in the index, so they are kept although they come last.
            assertTrue(capped.terms().containsAll(List.of(ideograph(1099), ideograph(1098), ideograph(1097))));
            // Among the absent ones the earlier are kept; the query order is preserved.
            assertEquals(ideograph(0), capped.terms().iterator().next());
            assertTrue(!capped.terms().contains(ideograph(1096)));
        }
    }

    private static String ideograph(int i) {
        return Character.toString(0x4e00 + i);
    }

    /** Two documents: ideograph 1099 in both, 1098 and 1097 in one (so 1099 is the commonest present term). */
    private static ByteBuffersDirectory index() throws IOException {
        ByteBuffersDirectory directory = new ByteBuffersDirectory();
        try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig(EnglishText.ANALYZER))) {
            for (String text : List.of(ideograph(1099) + ideograph(1098) + ideograph(1097), ideograph(1099))) {
                Document document = new Document();
                document.add(new TextField(EnglishText.FIELD, text, Field.Store.NO));
                writer.addDocument(document);
            }
        }
        return directory;
    }
}

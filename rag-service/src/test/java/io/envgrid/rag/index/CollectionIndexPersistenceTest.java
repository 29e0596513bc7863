package io.envgrid.rag.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.envgrid.rag.search.Retriever;
import io.envgrid.rag.search.SearchMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What was committed is there after the index is closed and opened again, text, metadata and vectors. */
class CollectionIndexPersistenceTest {

    /**
     * A stand-in for the model: the ONNX and tokenizer libraries can be loaded by one class loader only,
     * and the @QuarkusTest classes already hold them.
     */
    private static final Embedder EMBEDDER = new HashingEmbedder();

    @TempDir
    Path dir;

    @Test
    void documentsAndDeletionsSurviveAReopen() {
        Chunker chunker = new Chunker(200, 40);
        try (CollectionIndex index = CollectionIndex.open("kept", dir, EMBEDDER, chunker)) {
            index.upsert(List.of(
                    new Document("bees", "Bees", "Bees pollinate flowers and make honey.", Map.of("kind", "insect")),
                    new Document("sharks", "Sharks", "Sharks are cartilaginous fish with many rows of teeth.", Map.of("kind", "fish")),
                    new Document("gone", null, "This one is deleted before the restart.", Map.of())));
            index.delete("gone");
        }
        try (CollectionIndex reopened = CollectionIndex.open("kept", dir, EMBEDDER, chunker)) {
            assertEquals(2, reopened.documentCount());
            assertFalse(reopened.contains("gone"));
            Hit lexical = Retriever.search(reopened, SearchMode.BM25, "honey", 1, Map.of()).get(0);
            assertEquals("bees", lexical.id());
            assertEquals(Map.of("kind", "insect"), lexical.metadata());
            assertEquals("sharks", Retriever.search(reopened, SearchMode.DENSE, "teeth of fish", 1, Map.of()).get(0).id());
        }
    }
}

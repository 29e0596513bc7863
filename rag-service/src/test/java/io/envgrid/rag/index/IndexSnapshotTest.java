package io.envgrid.rag.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.rag.search.Retriever;
import io.envgrid.rag.search.SearchMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Documents of many chunks, spread over several segments by separate commits, replaced and deleted: every
 * ranking still names each document once, shown by its best chunk.
 */
class IndexSnapshotTest {

    @TempDir
    Path dir;

    @Test
    void eachDocumentRanksOnceByItsBestChunkAcrossSegmentsAndUpdates() {
        // Five-word chunks: every document below has several.
        try (CollectionIndex index = CollectionIndex.open("chunks", dir, new HashingEmbedder(), new Chunker(5, 1))) {
            index.upsert(List.of(doc("a", "wind tunnel tests of a wing model at low speed with flaps"),
                    doc("b", "heat transfer in a laminar boundary layer over a heated flat plate wing")));
            index.upsert(List.of(doc("c", "wing flutter wing flutter wing flutter and wing divergence of swept wings")));
            index.upsert(List.of(doc("a", "replaced text about wing stall and wing buffet on a wing at high lift wing"),
                    doc("d", "a document deleted again which mentions the wing wing wing many times")));
            index.delete("d");
            for (SearchMode mode : SearchMode.values()) {
                List<Hit> hits = Retriever.search(index, mode, "wing", 10, Map.of());
                List<String> ids = hits.stream().map(Hit::id).toList();
                assertEquals(3, ids.size(), mode + " " + ids);
                assertEquals(3, ids.stream().distinct().count(), mode + " " + ids);
                assertTrue(ids.containsAll(List.of("a", "b", "c")), mode + " " + ids);
            }
            Hit best = Retriever.search(index, SearchMode.BM25, "flutter", 1, Map.of()).get(0);
            assertEquals("c", best.id());
            assertTrue(best.text().contains("flutter"), best.text());
            // The replaced text's second chunk holds both terms; the first holds one.
            assertEquals("stall and wing buffet on", Retriever.search(index, SearchMode.BM25, "stall buffet", 1, Map.of()).get(0).text());
        }
    }

    private static Document doc(String id, String text) {
        return new Document(id, null, text, Map.of());
    }
}

package io.envgrid.rag.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    @Test
    void windowsOverlapAndTheLastOneEndsTheText() {
        List<String> chunks = new Chunker(4, 1).chunks("a b c d e f g h i j");
        assertEquals(List.of("a b c d", "d e f g", "g h i j"), chunks);
    }

    @Test
    void shortTextIsOneChunk() {
        assertEquals(List.of("just a few words"), new Chunker(200, 40).chunks("  just a few words "));
    }

    @Test
    void textWithoutSpacesIsCutIntoBoundedChunks() {
        String ideographs = "水".repeat(Chunker.MAX_CHUNK_CHARS * 2 + 10);
        List<String> chunks = new Chunker(200, 40).chunks(ideographs);
        assertEquals(3, chunks.size());
        assertTrue(chunks.stream().allMatch(chunk -> chunk.length() <= Chunker.MAX_CHUNK_CHARS));
        assertEquals(ideographs, String.join("", chunks));
    }

    @Test
    void aLongRunIsCutAtASpaceWhenThereIsOne() {
        int run = Chunker.MAX_CHUNK_CHARS * 3 / 4;
        String text = "x".repeat(run) + " " + "y".repeat(run);
        assertEquals(List.of("x".repeat(run), "y".repeat(run)), new Chunker(200, 40).chunks(text));
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String text = "a".repeat(Chunker.MAX_CHUNK_CHARS - 1) + "😀".repeat(10);
        List<String> chunks = new Chunker(200, 40).chunks(text);
        assertEquals(text, String.join("", chunks));
        assertTrue(chunks.stream().noneMatch(chunk -> Character.isHighSurrogate(chunk.charAt(chunk.length() - 1))));
    }
}

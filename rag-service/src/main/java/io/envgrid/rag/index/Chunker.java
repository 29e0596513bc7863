package io.envgrid.rag.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Cuts text into windows of words that overlap, so no passage is only ever seen cut in half. */
public final class Chunker {

    /** ~1.3 tokens a word keeps a chunk and its title inside bge-small's 512-token window. */
    public static final int DEFAULT_WINDOW_WORDS = 200;
    /** Words repeated between neighbouring chunks, so a passage cut at a boundary is still found whole. */
    public static final int DEFAULT_OVERLAP_WORDS = 40;

    /**
     * Characters per chunk at most: 200 English words are about 1,300, so only text with long runs without
     * spaces reaches it. The embedder reads a passage window by window (510 tokens each) and averages, so an
     * unbounded chunk would cost unbounded inference and be one blurred vector; 2,000 characters of CJK or
     * punctuation (about a token each) are four windows at most.
     */
    public static final int MAX_CHUNK_CHARS = 2000;

    private final int windowWords;
    private final int overlapWords;

    public Chunker(int windowWords, int overlapWords) {
        if (windowWords < 1 || overlapWords < 0 || overlapWords >= windowWords) {
            throw new IllegalArgumentException("need 0 <= overlap < window, got window " + windowWords + ", overlap " + overlapWords);
        }
        this.windowWords = windowWords;
        this.overlapWords = overlapWords;
    }

    public List<String> chunks(String text) {
        List<String> chunks = new ArrayList<>();
        for (String window : wordWindows(text)) {
            splitLong(window, chunks);
        }
        return chunks;
    }

    private List<String> wordWindows(String text) {
        String[] words = text.trim().split("\\s+");
        if (words.length <= windowWords) {
            return List.of(text.trim());
        }
        List<String> windows = new ArrayList<>();
        int step = windowWords - overlapWords;
        for (int start = 0; ; start += step) {
            int end = Math.min(words.length, start + windowWords);
            windows.add(String.join(" ", Arrays.copyOfRange(words, start, end)));
            if (end == words.length) {
                return windows;
            }
        }
    }

    /**
     * Text without spaces (Chinese, Japanese, a long URL or base64 blob) is one "word" however long; cut
     * such a window into pieces of at most {@link #MAX_CHUNK_CHARS}, at a space when there is one, so that
     * every chunk costs a bounded embedding and comes back as a result of bounded size.
     */
    private static void splitLong(String window, List<String> into) {
        int start = 0;
        while (window.length() - start > MAX_CHUNK_CHARS) {
            int end = start + MAX_CHUNK_CHARS;
            int space = window.lastIndexOf(' ', end);
            if (space > start + MAX_CHUNK_CHARS / 2) {
                end = space;
            } else if (Character.isHighSurrogate(window.charAt(end - 1))) {
                end--;
            }
            into.add(window.substring(start, end).strip());
            start = end;
        }
        into.add(window.substring(start).strip());
    }
}

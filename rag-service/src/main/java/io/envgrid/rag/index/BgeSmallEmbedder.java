package io.envgrid.rag.index;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import java.util.ArrayList;
import java.util.List;

/** bge-small-en-v1.5 (quantized) in process through ONNX Runtime; the weights ship inside the jar. */
public final class BgeSmallEmbedder implements Embedder {

    /** What a passage without any token the model reads is embedded as (see {@link #embedPassage}). */
    static final String NO_TOKENS = ".";

    /** BGE was trained to embed short queries behind this instruction; passages go in without it. */
    static final String QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: ";

    private final EmbeddingModel model = new BgeSmallModel();

    @Override
    public int dimension() {
        return 384;
    }

    @Override
    public float[] embedQuery(String query) {
        return normalized(model.embed(QUERY_INSTRUCTION + query).content());
    }

    @Override
    public List<float[]> embedPassages(List<String> passages) {
        if (passages.isEmpty()) {
            return List.of();
        }
        List<TextSegment> segments = new ArrayList<>();
        try {
            passages.forEach(passage -> segments.add(TextSegment.from(passage)));
            return model.embedAll(segments).content().stream().map(BgeSmallEmbedder::normalized).toList();
        } catch (IllegalArgumentException noTokens) {
            // one of them has no token the model reads: one by one, so that only that one gets the stand-in
            return passages.stream().map(this::embedPassage).toList();
        }
    }

    /**
     * A passage in which the model finds no token (only control characters, which {@code isBlank} lets through, or
     * only characters the tokenizer drops) is refused by langchain4j, and the whole request ended as a 500. Such a
     * passage carries nothing to embed; it gets the vector of {@link #NO_TOKENS}, a lone full stop, so that it is
     * stored and found by its words (if any) in BM25 like any other.
     */
    private float[] embedPassage(String passage) {
        try {
            return normalized(model.embed(passage).content());
        } catch (IllegalArgumentException noTokens) {
            return normalized(model.embed(NO_TOKENS).content());
        }
    }

    private static float[] normalized(Embedding embedding) {
        float[] vector = embedding.vector();
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        float scale = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < vector.length; i++) {
            vector[i] *= scale;
        }
        return vector;
    }
}

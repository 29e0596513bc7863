package io.envgrid.rag.index;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import java.util.List;

/** bge-small-en-v1.5 (quantized) in process through ONNX Runtime; the weights ship inside the jar. */
public final class BgeSmallEmbedder implements Embedder {

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
        List<TextSegment> segments = passages.stream().map(TextSegment::from).toList();
        return model.embedAll(segments).content().stream().map(BgeSmallEmbedder::normalized).toList();
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

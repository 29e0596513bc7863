package io.envgrid.rag.index;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An embedder that remembers the vectors of the most recently used queries. Embedding a query costs about
 * 13 ms of CPU with bge-small, by far the largest part of a dense or hybrid search, and agents repeat
 * queries (retries, several workers on one task). Passages are never cached: each is embedded once, at
 * ingestion. Two concurrent misses of one query both embed it; the result is the same.
 */
public final class QueryEmbeddingCache implements Embedder {

    private final Embedder model;
    private final Map<String, float[]> recent;

    /** @param capacity queries kept (least recently used evicted first); 0 turns the cache off */
    public QueryEmbeddingCache(Embedder model, int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative, got " + capacity);
        }
        this.model = model;
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public int dimension() {
        return model.dimension();
    }

    /** The vector is shared between callers, who only read it. */
    @Override
    public float[] embedQuery(String query) {
        synchronized (recent) {
            float[] known = recent.get(query);
            if (known != null) {
                return known;
            }
        }
        float[] vector = model.embedQuery(query);
        synchronized (recent) {
            recent.put(query, vector);
        }
        return vector;
    }

    @Override
    public List<float[]> embedPassages(List<String> passages) {
        return model.embedPassages(passages);
    }
}

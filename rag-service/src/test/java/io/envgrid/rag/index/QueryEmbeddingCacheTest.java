package io.envgrid.rag.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryEmbeddingCacheTest {

    /** Records which queries reach the model. */
    private static final class CountingEmbedder implements Embedder {
        final List<String> embedded = new ArrayList<>();
        private final Embedder model = new HashingEmbedder();

        @Override
        public int dimension() {
            return model.dimension();
        }

        @Override
        public float[] embedQuery(String query) {
            embedded.add(query);
            return model.embedQuery(query);
        }

        @Override
        public List<float[]> embedPassages(List<String> passages) {
            return model.embedPassages(passages);
        }
    }

    @Test
    void aRepeatedQueryIsEmbeddedOnceAndTheLeastRecentlyUsedIsEvicted() {
        CountingEmbedder model = new CountingEmbedder();
        Embedder cache = new QueryEmbeddingCache(model, 2);
        float[] first = cache.embedQuery("shock waves");
        assertArrayEquals(first, cache.embedQuery("shock waves"));
        cache.embedQuery("boundary layer");
        cache.embedQuery("shock waves");
        cache.embedQuery("heat transfer");
        cache.embedQuery("shock waves");
        cache.embedQuery("boundary layer");
        assertEquals(List.of("shock waves", "boundary layer", "heat transfer", "boundary layer"), model.embedded);
    }

    @Test
    void capacityZeroEmbedsEveryQuery() {
        CountingEmbedder model = new CountingEmbedder();
        Embedder cache = new QueryEmbeddingCache(model, 0);
        cache.embedQuery("lift");
        cache.embedQuery("lift");
        assertEquals(List.of("lift", "lift"), model.embedded);
    }
}

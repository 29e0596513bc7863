package io.envgrid.rag.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.envgrid.rag.config.RagConfig;
import io.envgrid.rag.error.ApiException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Before warm-up has opened the collections, requests get 503, never a wrong 404 or a fresh empty collection. */
class CollectionRegistryWarmUpTest {

    private static final RagConfig CONFIG = new RagConfig() {
        @Override
        public Path indexDir() {
            return Path.of("unused");
        }

        @Override
        public String defaultCollection() {
            return "default";
        }

        @Override
        public int chunkWords() {
            return 200;
        }

        @Override
        public int chunkOverlapWords() {
            return 40;
        }

        @Override
        public int maxBatchDocuments() {
            return 10;
        }

        @Override
        public int queryEmbeddingCacheSize() {
            return 0;
        }

        @Override
        public Optional<String> instanceId() {
            return Optional.empty();
        }

        @Override
        public Optional<String> publicUrl() {
            return Optional.empty();
        }

        @Override
        public Auth auth() {
            return Auth.LEASE;
        }

        @Override
        public Registration registration() {
            throw new UnsupportedOperationException("not used by the registry");
        }
    };

    @Test
    void collectionsAreUnavailableUntilWarm() {
        CollectionRegistry registry = new CollectionRegistry(CONFIG);
        assertFalse(registry.warm());
        assertEquals(503, assertThrows(ApiException.class, () -> registry.get("docs")).status());
        assertEquals(503, assertThrows(ApiException.class, () -> registry.getOrCreate("docs")).status());
    }
}

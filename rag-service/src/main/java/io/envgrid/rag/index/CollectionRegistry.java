package io.envgrid.rag.index;

import io.envgrid.rag.config.RagConfig;
import io.envgrid.rag.error.ApiException;
import io.envgrid.rag.error.ErrorCode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/** The collections of this replica, one directory each under the index directory, opened at start-up. */
@ApplicationScoped
public class CollectionRegistry {

    private static final Logger LOG = Logger.getLogger(CollectionRegistry.class);

    private final RagConfig config;
    private final Map<String, CollectionIndex> collections = new ConcurrentHashMap<>();
    private final Chunker chunker;
    private volatile Embedder embedder;
    private volatile boolean warm;

    public CollectionRegistry(RagConfig config) {
        this.config = config;
        this.chunker = new Chunker(config.chunkWords(), config.chunkOverlapWords());
    }

    /**
     * Loads the model and opens every collection before the first request: the first search is then as
     * fast as any other, and readiness stays DOWN until this is done.
     */
    void warmUp(@Observes StartupEvent start) {
        long began = System.nanoTime();
        if (!CollectionNames.valid(config.defaultCollection())) {
            throw new IllegalStateException("envgrid.rag.default-collection '" + config.defaultCollection()
                    + "' does not match " + CollectionNames.RULE);
        }
        embedder = new QueryEmbeddingCache(new BgeSmallEmbedder(), config.queryEmbeddingCacheSize());
        embedder.embedQuery("warm-up");
        try {
            Files.createDirectories(config.indexDir());
            try (Stream<Path> dirs = Files.list(config.indexDir())) {
                dirs.filter(Files::isDirectory).forEach(dir -> {
                    String name = dir.getFileName().toString();
                    // Only names the API could have created are collections; anything else (a volume's
                    // lost+found, an operator's backup) is left alone rather than opened and written to.
                    if (CollectionNames.valid(name)) {
                        collections.put(name, CollectionIndex.open(name, dir, embedder, chunker));
                    } else {
                        LOG.warnf("ignoring %s: not a collection name (%s)", dir, CollectionNames.RULE);
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the index directory " + config.indexDir(), e);
        }
        warm = true;
        LOG.infof("model loaded, %d collections open from %s in %d ms", collections.size(), config.indexDir(),
                (System.nanoTime() - began) / 1_000_000);
    }

    public boolean warm() {
        return warm;
    }

    /** @throws ApiException 400 for a name outside the rule, 404 for an unknown collection, 503 before warm-up */
    public CollectionIndex get(String name) {
        CollectionNames.require(name);
        requireWarm();
        CollectionIndex index = collections.get(name);
        if (index == null) {
            throw ApiException.collectionNotFound(name);
        }
        return index;
    }

    /** @throws ApiException 400 for a name outside the rule, 503 before warm-up */
    public boolean exists(String name) {
        CollectionNames.require(name);
        requireWarm();
        return collections.containsKey(name);
    }

    /** The rule is checked here too, so no caller can make a directory from an unchecked name. */
    public CollectionIndex getOrCreate(String name) {
        CollectionNames.require(name);
        requireWarm();
        return collections.computeIfAbsent(name, n -> CollectionIndex.open(n, config.indexDir().resolve(n), embedder, chunker));
    }

    /**
     * HTTP may open before warm-up ends; until then a collection that exists on disk is not yet in the
     * map, and answering 404 for it, or creating it afresh, would be wrong.
     */
    private void requireWarm() {
        if (!warm) {
            throw new ApiException(503, ErrorCode.WARMING_UP, "the model and indexes are still loading; retry shortly", Map.of());
        }
    }

    /** Collection name to number of documents, sorted by name. */
    public SortedMap<String, Integer> documentCounts() {
        SortedMap<String, Integer> counts = new TreeMap<>();
        collections.forEach((name, index) -> counts.put(name, index.documentCount()));
        return counts;
    }

    @PreDestroy
    void close() {
        collections.values().forEach(CollectionIndex::close);
        collections.clear();
    }
}

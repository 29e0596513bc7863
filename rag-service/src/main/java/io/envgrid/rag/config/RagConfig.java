package io.envgrid.rag.config;

import io.envgrid.rag.index.Chunker;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Typed settings of the RAG service; every one has a working default. */
@ConfigMapping(prefix = "envgrid.rag")
public interface RagConfig {

    /** One sub-directory per collection; on a volume in Kubernetes so the index survives restarts. */
    @WithDefault("./data/rag")
    Path indexDir();

    /** Collection searched when a request names none. */
    @WithDefault("default")
    String defaultCollection();

    /** Words per chunk. */
    @WithDefault("" + Chunker.DEFAULT_WINDOW_WORDS)
    int chunkWords();

    /** Words repeated between neighbouring chunks. */
    @WithDefault("" + Chunker.DEFAULT_OVERLAP_WORDS)
    int chunkOverlapWords();

    /** Most documents one ingestion request may carry. */
    @WithDefault("5000")
    int maxBatchDocuments();

    /** Query vectors kept for repeated queries (about 1.5 KB each); 0 embeds every query afresh. */
    @WithDefault("1024")
    int queryEmbeddingCacheSize();

    /** This instance's name in resource ids ({@code rag:<instance>:<collection>}); the host name when unset. */
    Optional<String> instanceId();

    /** The base_url leaseholders are given; {@code http://<host name>:<HTTP port>} when unset. */
    Optional<String> publicUrl();

    /**
     * Who may read and write collections ({@code envgrid.rag.auth}): {@code lease} (the default) applies the rule of
     * {@link io.envgrid.rag.access.CollectionAccess}; {@code open} lets anyone do anything and is logged as a warning
     * at start (local demos only). Never implied: only this setting turns the rule off.
     */
    @WithDefault("lease")
    Auth auth();

    /** {@code envgrid.rag.auth}: {@code lease} or {@code open}. */
    enum Auth {
        LEASE, OPEN
    }

    Registration registration();

    /** How the collections are kept registered with the allocator. */
    interface Registration {
        @WithDefault("5s")
        Duration interval();

        @WithDefault("15")
        int heartbeatTtlSeconds();
    }
}

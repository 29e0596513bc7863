package io.envgrid.rag.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.FixedBitSet;
import org.apache.lucene.util.VectorUtil;

/**
 * One search's point-in-time view of a collection. Rankings are lists of {@link Candidate}s, which identify
 * documents by Lucene number without reading stored fields; only the documents finally returned have their
 * text and metadata read ({@link #hits}). Reading stored fields means decompressing a block each time, and
 * for a hybrid search that fuses two top-100 lists it was most of the cost. One thread at a time.
 */
public final class IndexSnapshot implements AutoCloseable {

    /** Metadata filters per search; with {@link QueryTerms#MAX_TERMS} inside Lucene's 1,024 clauses. */
    public static final int MAX_FILTERS = 16;
    /** Chunks fetched per wanted document, since several chunks of one document may rank high. */
    private static final int CHUNKS_PER_RESULT = 4;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> METADATA_TYPE = new TypeReference<>() { };

    private final SearcherManager searchers;
    private final IndexSearcher searcher;
    private final Embedder embedder;
    /** The Lucene numbers of first chunks; read when first needed. */
    private FixedBitSet firstChunks;

    IndexSnapshot(SearcherManager searchers, IndexSearcher searcher, Embedder embedder) {
        this.searchers = searchers;
        this.searcher = searcher;
        this.embedder = embedder;
    }

    /** The query's terms as this collection searches them: capped at {@link QueryTerms#MAX_TERMS} by rarity here. */
    public QueryTerms queryTerms(String query) {
        return QueryTerms.of(query).cappedFor(searcher.getIndexReader(), CollectionIndex.BODY);
    }

    /**
     * BM25 over title and chunk text; filters match metadata values exactly. One clause per distinct term,
     * boosted by its count: the same scores as a clause per occurrence (Lucene merges those the same way),
     * with a clause count bounded by the distinct terms.
     */
    public List<Candidate> bm25(QueryTerms queryTerms, int documents, Map<String, String> filters) {
        if (queryTerms.isEmpty()) {
            return List.of();
        }
        if (queryTerms.counts().size() > QueryTerms.MAX_TERMS) {
            throw new IllegalArgumentException("query terms not capped: " + queryTerms.counts().size());
        }
        BooleanQuery.Builder terms = new BooleanQuery.Builder();
        queryTerms.counts().forEach((term, count) -> {
            Query clause = new TermQuery(new Term(CollectionIndex.BODY, term));
            terms.add(count == 1 ? clause : new BoostQuery(clause, count), BooleanClause.Occur.SHOULD);
        });
        Query lucene = filtered(terms.build(), filters);
        try {
            ScoreDoc[] chunks = searcher.search(lucene, documents * CHUNKS_PER_RESULT).scoreDocs;
            List<ScoredChunk> ranked = new ArrayList<>(chunks.length);
            for (ScoreDoc chunk : chunks) {
                ranked.add(new ScoredChunk(chunk.doc, chunk.score));
            }
            return bestChunkPerDocument(ranked, documents);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Exact cosine similarity against every (filtered) chunk vector; fine for collections of this size. */
    public List<Candidate> dense(String query, int documents, Map<String, String> filters) {
        float[] target = embedder.embedQuery(query);
        int wanted = documents * CHUNKS_PER_RESULT;
        PriorityQueue<ScoredChunk> best = new PriorityQueue<>(wanted + 1, Comparator.comparingDouble(ScoredChunk::score));
        try {
            Weight weight = searcher.createWeight(searcher.rewrite(filtered(new MatchAllDocsQuery(), filters)),
                    ScoreMode.COMPLETE_NO_SCORES, 1f);
            float[] vector = new float[target.length];
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                Scorer scorer = weight.scorer(leaf);
                BinaryDocValues vectors = leaf.reader().getBinaryDocValues(CollectionIndex.VECTOR);
                if (scorer == null || vectors == null) {
                    continue;
                }
                var live = leaf.reader().getLiveDocs();
                DocIdSetIterator matches = scorer.iterator();
                for (int doc = matches.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = matches.nextDoc()) {
                    if ((live != null && !live.get(doc)) || !vectors.advanceExact(doc)) {
                        continue;
                    }
                    VectorBytes.decode(vectors.binaryValue(), vector);
                    float score = VectorUtil.dotProduct(target, vector);
                    // Most chunks score below the current top list; only those above it allocate.
                    if (best.size() < wanted || score > best.peek().score()) {
                        best.add(new ScoredChunk(leaf.docBase + doc, score));
                        if (best.size() > wanted) {
                            best.poll();
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ScoredChunk> ranked = new ArrayList<>(best);
        ranked.sort(Comparator.comparingDouble(ScoredChunk::score).reversed());
        return bestChunkPerDocument(ranked, documents);
    }

    /** The documents with their shown chunk's text and their metadata, in the given order. */
    public List<Hit> hits(List<Candidate> ranked) {
        try {
            StoredFields stored = searcher.storedFields();
            List<Hit> hits = new ArrayList<>(ranked.size());
            for (Candidate candidate : ranked) {
                Document doc = stored.document(candidate.chunk());
                hits.add(new Hit(doc.get(CollectionIndex.DOC_ID), candidate.score(), doc.get(CollectionIndex.TEXT),
                        JSON.readValue(doc.get(CollectionIndex.METADATA), METADATA_TYPE)));
            }
            return hits;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored metadata is not JSON", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            searchers.release(searcher);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keeps the first (best) chunk of each document, up to {@code documents} of them. */
    private List<Candidate> bestChunkPerDocument(List<ScoredChunk> rankedChunks, int documents) {
        FixedBitSet starts = firstChunks();
        Set<Integer> seen = new HashSet<>();
        List<Candidate> result = new ArrayList<>();
        for (ScoredChunk chunk : rankedChunks) {
            if (result.size() == documents) {
                break;
            }
            // A document's chunks are one block, first chunk first (CollectionIndex#upsert).
            int document = starts.prevSetBit(chunk.chunk());
            if (seen.add(document)) {
                result.add(new Candidate(document, chunk.chunk(), chunk.score()));
            }
        }
        return result;
    }

    /** Deleted first chunks may be included: a live chunk's own first chunk is nearer than any of them. */
    private FixedBitSet firstChunks() {
        if (firstChunks == null) {
            FixedBitSet bits = new FixedBitSet(Math.max(1, searcher.getIndexReader().maxDoc()));
            try {
                for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                    PostingsEnum postings = leaf.reader().postings(new Term(CollectionIndex.CHUNK, CollectionIndex.FIRST_CHUNK), PostingsEnum.NONE);
                    if (postings != null) {
                        for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
                            bits.set(leaf.docBase + doc);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            firstChunks = bits;
        }
        return firstChunks;
    }

    private record ScoredChunk(int chunk, double score) {
    }

    /** Each filter is a clause too; the request validation holds their number to this. */
    private static Query filtered(Query query, Map<String, String> filters) {
        if (filters.size() > MAX_FILTERS) {
            throw new IllegalArgumentException("more than " + MAX_FILTERS + " filters");
        }
        BooleanQuery.Builder full = new BooleanQuery.Builder().add(query, BooleanClause.Occur.MUST);
        filters.forEach((key, value) -> full.add(new TermQuery(new Term(CollectionIndex.META_PREFIX + key, value)), BooleanClause.Occur.FILTER));
        return full.build();
    }
}

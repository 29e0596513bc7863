package io.envgrid.rag.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * One collection on disk: a Lucene index with one Lucene document per chunk. The chunk's embedding sits
 * in the same Lucene document (binary doc values), so BM25 and dense search read the same point-in-time
 * snapshot and a batch becomes visible to both at once, when it is committed.
 */
public final class CollectionIndex implements Closeable {

    private static final String DOC_ID = "doc_id";
    private static final String CHUNK = "chunk";
    private static final String BODY = EnglishText.FIELD;
    private static final String TEXT = "text";
    private static final String METADATA = "metadata";
    private static final String VECTOR = "vector";
    private static final String META_PREFIX = "meta.";
    private static final String FIRST_CHUNK = "0";
    /** Chunks fetched per wanted document, since several chunks of one document may rank high. */
    private static final int CHUNKS_PER_RESULT = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Textbook BM25 parameters for short abstracts (Robertson's k1 0.9, b 0.4, as Anserini uses). */
    private static final BM25Similarity SIMILARITY = new BM25Similarity(0.9f, 0.4f);

    private final String name;
    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Embedder embedder;
    private final Chunker chunker;
    /** One batch commits at a time, so a commit never publishes half of another batch. */
    private final Object writeLock = new Object();

    private CollectionIndex(String name, Path dir, Embedder embedder, Chunker chunker) throws IOException {
        this.name = name;
        this.embedder = embedder;
        this.chunker = chunker;
        this.directory = FSDirectory.open(dir);
        IndexWriterConfig config = new IndexWriterConfig(EnglishText.ANALYZER).setSimilarity(SIMILARITY)
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
        this.writer = new IndexWriter(directory, config);
        // An empty first commit lets a reader open on a brand-new collection.
        writer.commit();
        // Readers open on commits, not on the writer: searches see whole batches or nothing of them.
        this.searchers = new SearcherManager(directory, new SearcherFactory() {
            @Override
            public IndexSearcher newSearcher(org.apache.lucene.index.IndexReader reader,
                    org.apache.lucene.index.IndexReader previous) {
                IndexSearcher searcher = new IndexSearcher(reader);
                searcher.setSimilarity(SIMILARITY);
                return searcher;
            }
        });
    }

    public static CollectionIndex open(String name, Path dir, Embedder embedder, Chunker chunker) {
        try {
            return new CollectionIndex(name, dir, embedder, chunker);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open collection " + name + " at " + dir, e);
        }
    }

    public String name() {
        return name;
    }

    /**
     * Adds the documents, replacing any with the same id, in one commit. Chunking and embedding happen
     * before the first write, so a failure there leaves the index as it was.
     *
     * @return the number of chunks written
     */
    public int upsert(List<Document> documents) {
        List<List<org.apache.lucene.document.Document>> prepared = new ArrayList<>();
        for (Document document : documents) {
            prepared.add(luceneDocuments(document));
        }
        try {
            synchronized (writeLock) {
                for (int i = 0; i < documents.size(); i++) {
                    writer.updateDocuments(new Term(DOC_ID, documents.get(i).id()), prepared.get(i));
                }
                writer.commit();
                searchers.maybeRefreshBlocking();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return prepared.stream().mapToInt(List::size).sum();
    }

    /** @return whether a document with this id existed */
    public boolean delete(String id) {
        try {
            synchronized (writeLock) {
                if (!contains(id)) {
                    return false;
                }
                writer.deleteDocuments(new Term(DOC_ID, id));
                writer.commit();
                searchers.maybeRefreshBlocking();
                return true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean contains(String id) {
        return withSearcher(searcher -> searcher.count(new TermQuery(new Term(DOC_ID, id))) > 0);
    }

    public int documentCount() {
        return withSearcher(searcher -> searcher.count(new TermQuery(new Term(CHUNK, FIRST_CHUNK))));
    }

    /** BM25 over title and chunk text; filters match metadata values exactly. */
    public List<Hit> bm25(String query, int topK, Map<String, String> filters) {
        BooleanQuery.Builder terms = new BooleanQuery.Builder();
        List<String> tokens = EnglishText.terms(query);
        if (tokens.isEmpty()) {
            return List.of();
        }
        tokens.forEach(token -> terms.add(new TermQuery(new Term(BODY, token)), BooleanClause.Occur.SHOULD));
        BooleanQuery.Builder full = new BooleanQuery.Builder().add(terms.build(), BooleanClause.Occur.MUST);
        filters.forEach((key, value) -> full.add(new TermQuery(new Term(META_PREFIX + key, value)), BooleanClause.Occur.FILTER));
        Query lucene = full.build();
        return withSearcher(searcher -> {
            ScoreDoc[] docs = searcher.search(lucene, topK * CHUNKS_PER_RESULT).scoreDocs;
            StoredFields stored = searcher.storedFields();
            List<ScoredChunk> chunks = new ArrayList<>();
            for (ScoreDoc doc : docs) {
                chunks.add(new ScoredChunk(doc.doc, doc.score));
            }
            return bestPerDocument(chunks, stored, topK);
        });
    }

    /** Exact cosine similarity against every (filtered) chunk vector; fine for collections of this size. */
    public List<Hit> dense(String query, int topK, Map<String, String> filters) {
        float[] target = embedder.embedQuery(query);
        BooleanQuery.Builder filter = new BooleanQuery.Builder().add(new MatchAllDocsQuery(), BooleanClause.Occur.MUST);
        filters.forEach((key, value) -> filter.add(new TermQuery(new Term(META_PREFIX + key, value)), BooleanClause.Occur.FILTER));
        Query filterQuery = filter.build();
        int wanted = topK * CHUNKS_PER_RESULT;
        return withSearcher(searcher -> {
            PriorityQueue<ScoredChunk> best = new PriorityQueue<>(Comparator.comparingDouble(ScoredChunk::score));
            Weight weight = searcher.createWeight(searcher.rewrite(filterQuery), ScoreMode.COMPLETE_NO_SCORES, 1f);
            float[] vector = new float[target.length];
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                Scorer scorer = weight.scorer(leaf);
                BinaryDocValues vectors = leaf.reader().getBinaryDocValues(VECTOR);
                if (scorer == null || vectors == null) {
                    continue;
                }
                var live = leaf.reader().getLiveDocs();
                DocIdSetIterator matches = scorer.iterator();
                for (int doc = matches.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = matches.nextDoc()) {
                    if ((live != null && !live.get(doc)) || !vectors.advanceExact(doc)) {
                        continue;
                    }
                    decode(vectors.binaryValue(), vector);
                    best.add(new ScoredChunk(leaf.docBase + doc, dot(target, vector)));
                    if (best.size() > wanted) {
                        best.poll();
                    }
                }
            }
            List<ScoredChunk> ranked = new ArrayList<>(best);
            ranked.sort(Comparator.comparingDouble(ScoredChunk::score).reversed());
            return bestPerDocument(ranked, searcher.storedFields(), topK);
        });
    }

    @Override
    public void close() {
        try {
            searchers.close();
            writer.close();
            directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<org.apache.lucene.document.Document> luceneDocuments(Document document) {
        List<String> chunks = chunker.chunks(document.text());
        String title = document.title() == null ? "" : document.title();
        // The title goes with every chunk: it is often the best summary of what any part is about.
        List<float[]> vectors = embedder.embedPassages(chunks.stream().map(chunk -> (title + "\n" + chunk).strip()).toList());
        String metadataJson = toJson(document.metadata());
        List<org.apache.lucene.document.Document> result = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            org.apache.lucene.document.Document doc = new org.apache.lucene.document.Document();
            doc.add(new StringField(DOC_ID, document.id(), Field.Store.YES));
            doc.add(new StringField(CHUNK, Integer.toString(i), Field.Store.NO));
            doc.add(new TextField(BODY, title + "\n" + chunks.get(i), Field.Store.NO));
            doc.add(new StoredField(TEXT, chunks.get(i)));
            doc.add(new StoredField(METADATA, metadataJson));
            document.metadata().forEach((key, value) -> doc.add(new StringField(META_PREFIX + key, String.valueOf(value), Field.Store.NO)));
            doc.add(new BinaryDocValuesField(VECTOR, encode(vectors.get(i))));
            result.add(doc);
        }
        return result;
    }

    private List<Hit> bestPerDocument(List<ScoredChunk> ranked, StoredFields stored, int topK) throws IOException {
        Map<String, Hit> hits = new LinkedHashMap<>();
        for (ScoredChunk chunk : ranked) {
            if (hits.size() == topK) {
                break;
            }
            org.apache.lucene.document.Document doc = stored.document(chunk.doc());
            hits.putIfAbsent(doc.get(DOC_ID), new Hit(doc.get(DOC_ID), chunk.score(), doc.get(TEXT), fromJson(doc.get(METADATA))));
        }
        return List.copyOf(hits.values());
    }

    private <T> T withSearcher(SearcherFunction<T> function) {
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                return function.apply(searcher);
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BytesRef encode(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(vector);
        return new BytesRef(buffer.array());
    }

    private static void decode(BytesRef bytes, float[] into) {
        ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(into);
    }

    private static float dot(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static String toJson(Map<String, Object> metadata) {
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata is not serializable", e);
        }
    }

    private static Map<String, Object> fromJson(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored metadata is not JSON", e);
        }
    }

    private record ScoredChunk(int doc, double score) {
    }

    @FunctionalInterface
    private interface SearcherFunction<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }
}

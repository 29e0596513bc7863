package io.envgrid.rag.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.FSDirectory;

/**
 * One collection on disk: a Lucene index with one Lucene document per chunk. The chunk's embedding sits
 * in the same Lucene document (binary doc values), so BM25 and dense search read the same point-in-time
 * snapshot and a batch becomes visible to both at once, when it is committed.
 */
public final class CollectionIndex implements Closeable {

    static final String DOC_ID = "doc_id";
    static final String CHUNK = "chunk";
    static final String BODY = EnglishText.FIELD;
    static final String TEXT = "text";
    static final String METADATA = "metadata";
    static final String VECTOR = "vector";
    static final String META_PREFIX = "meta.";
    static final String FIRST_CHUNK = "0";
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
        List<List<String>> chunks = documents.stream().map(document -> chunker.chunks(document.text())).toList();
        // The title goes with every chunk: it is often the best summary of what any part is about.
        List<String> passages = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            String title = title(documents.get(i));
            chunks.get(i).forEach(chunk -> passages.add((title + "\n" + chunk).strip()));
        }
        // One call for the whole batch, which the model spreads over the cores; a call per document ran
        // the one-chunk documents of a batch one after another.
        List<float[]> vectors = embedder.embedPassages(passages);
        List<List<org.apache.lucene.document.Document>> prepared = new ArrayList<>();
        int first = 0;
        for (int i = 0; i < documents.size(); i++) {
            int count = chunks.get(i).size();
            prepared.add(luceneDocuments(documents.get(i), chunks.get(i), vectors.subList(first, first + count)));
            first += count;
        }
        try {
            synchronized (writeLock) {
                // One block per document: Lucene keeps a block's documents adjacent and in order through
                // merges, which is how a search tells the chunks of one document apart (IndexSnapshot).
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

    /** A point-in-time view for one search, to be closed when the search is done. */
    public IndexSnapshot snapshot() {
        try {
            return new IndexSnapshot(searchers, searchers.acquire(), embedder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    private static String title(Document document) {
        return document.title() == null ? "" : document.title();
    }

    private List<org.apache.lucene.document.Document> luceneDocuments(Document document, List<String> chunks, List<float[]> vectors) {
        String title = title(document);
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
            doc.add(new BinaryDocValuesField(VECTOR, VectorBytes.encode(vectors.get(i))));
            result.add(doc);
        }
        return result;
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

    private static String toJson(Map<String, Object> metadata) {
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata is not serializable", e);
        }
    }

    @FunctionalInterface
    private interface SearcherFunction<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }
}

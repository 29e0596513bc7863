package io.envgrid.rag.eval;

import io.envgrid.rag.index.BgeSmallEmbedder;
import io.envgrid.rag.index.Chunker;
import io.envgrid.rag.index.CollectionIndex;
import io.envgrid.rag.index.Embedder;
import io.envgrid.rag.index.Hit;
import io.envgrid.rag.search.Retriever;
import io.envgrid.rag.search.SearchMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Retrieval quality of the service's own index and ranking on test collections: nDCG@10, MAP and
 * Recall@100 per mode, and for BM25 the same measures of an independent textbook BM25
 * ({@link TextbookBm25}) with how far the two rankings agree. Test code, outside the service's jar; run with
 * {@code mvn -B -Peval process-test-classes}. It evaluates the envgrid collection, Cranfield when it is found
 * ({@link TestCollections#cranfieldFolder()}), and any BEIR folder given as the system property {@code eval.beir}.
 */
public final class Evaluation {

    /** Rankings are this deep, for Recall@100 and for MAP. */
    static final int DEPTH = 100;
    /** The service's default chunking, which the textbook reference must cut the same way. */
    static final Chunker CHUNKER = new Chunker(Chunker.DEFAULT_WINDOW_WORDS, Chunker.DEFAULT_OVERLAP_WORDS);

    /** Mean scores of one ranking over a collection's queries. */
    public record Scores(double ndcg10, double map, double recall100, int queries) {
    }

    /**
     * Lucene's BM25 next to the textbook one: their scores, the mean share of top-10 documents they have in
     * common, and in how many queries the two top-10 lists are the same documents in the same order.
     */
    public record Agreement(Scores lucene, Scores textbook, double meanTop10Overlap, int identicalTop10, int queries) {
    }

    @FunctionalInterface
    public interface IndexTask<T> {
        T apply(CollectionIndex index) throws IOException;
    }

    private Evaluation() {
    }

    public static void main(String[] args) throws IOException {
        List<EvalDataset> datasets = new ArrayList<>();
        datasets.add(TestCollections.envgrid());
        TestCollections.cranfield().ifPresentOrElse(datasets::add, () -> System.out.println("Cranfield not evaluated: " + TestCollections.cranfieldAbsent()));
        String beir = System.getProperty("eval.beir", "");
        if (!beir.isBlank()) {
            datasets.add(BeirReader.read(Path.of(beir)));
        }
        Embedder embedder = new BgeSmallEmbedder();
        StringBuilder table = new StringBuilder(String.format("%n%-12s %-13s %8s %8s %10s %8s%n",
                "collection", "ranking", "nDCG@10", "MAP", "Recall@100", "queries"));
        StringBuilder agreements = new StringBuilder();
        for (EvalDataset dataset : datasets) {
            long began = System.nanoTime();
            withIndex(dataset, embedder, index -> {
                score(dataset, index, List.of(SearchMode.values())).forEach((mode, s) -> row(table, dataset, mode.wireName(), s));
                Agreement agreement = compareWithTextbook(dataset, index);
                row(table, dataset, "bm25-textbook", agreement.textbook());
                agreements.append(String.format("%s: Lucene BM25 vs textbook BM25: mean top-10 overlap %.4f, "
                        + "identical top-10 in %d of %d queries%n", dataset.name(), agreement.meanTop10Overlap(),
                        agreement.identicalTop10(), agreement.queries()));
                return null;
            });
            System.out.printf("%s: %d documents, %d queries evaluated in %d s%n", dataset.name(), dataset.corpus().size(),
                    dataset.queries().size(), (System.nanoTime() - began) / 1_000_000_000);
        }
        System.out.println(table);
        System.out.println(agreements);
    }

    /** Indexes the corpus in a temporary directory with the service's default chunking, then ranks every query. */
    public static Map<SearchMode, Scores> evaluate(EvalDataset dataset, Embedder embedder, List<SearchMode> modes) throws IOException {
        return withIndex(dataset, embedder, index -> score(dataset, index, modes));
    }

    /** Runs the task on the corpus indexed in a temporary directory, deleted afterwards. */
    public static <T> T withIndex(EvalDataset dataset, Embedder embedder, IndexTask<T> task) throws IOException {
        Path dir = Files.createTempDirectory("envgrid-rag-eval");
        try (CollectionIndex index = CollectionIndex.open(dataset.name(), dir, embedder, CHUNKER)) {
            index.upsert(dataset.corpus());
            return task.apply(index);
        } finally {
            deleteRecursively(dir);
        }
    }

    public static Agreement compareWithTextbook(EvalDataset dataset, CollectionIndex index) {
        TextbookBm25 textbook = new TextbookBm25(dataset.corpus(), CHUNKER);
        Map<String, List<String>> lucene = rankings(dataset, query -> lucene(index, SearchMode.BM25, query));
        Map<String, List<String>> reference = rankings(dataset, query -> textbook.rank(query, DEPTH));
        double overlap = 0;
        int identical = 0;
        for (String query : dataset.queries().keySet()) {
            List<String> a = top10(lucene.get(query));
            List<String> b = top10(reference.get(query));
            Set<String> common = new HashSet<>(a);
            common.retainAll(b);
            overlap += Math.max(a.size(), b.size()) == 0 ? 1 : (double) common.size() / Math.max(a.size(), b.size());
            identical += a.equals(b) ? 1 : 0;
        }
        int queries = dataset.queries().size();
        return new Agreement(score(dataset, lucene), score(dataset, reference), overlap / Math.max(queries, 1), identical, queries);
    }

    private static Map<SearchMode, Scores> score(EvalDataset dataset, CollectionIndex index, List<SearchMode> modes) {
        Map<SearchMode, Scores> result = new EnumMap<>(SearchMode.class);
        for (SearchMode mode : modes) {
            result.put(mode, score(dataset, rankings(dataset, query -> lucene(index, mode, query))));
        }
        return result;
    }

    private static List<String> lucene(CollectionIndex index, SearchMode mode, String query) {
        return Retriever.search(index, mode, query, DEPTH, Map.of()).stream().map(Hit::id).toList();
    }

    /** Query id to its ranking of document ids. */
    private static Map<String, List<String>> rankings(EvalDataset dataset, Function<String, List<String>> ranker) {
        Map<String, List<String>> rankings = new LinkedHashMap<>();
        dataset.queries().forEach((id, text) -> rankings.put(id, ranker.apply(text)));
        return rankings;
    }

    private static Scores score(EvalDataset dataset, Map<String, List<String>> rankings) {
        double ndcg = 0;
        double map = 0;
        double recall = 0;
        int judged = 0;
        int withRelevant = 0;
        for (Map.Entry<String, List<String>> query : rankings.entrySet()) {
            Map<String, Integer> gains = dataset.gains().getOrDefault(query.getKey(), Map.of());
            Set<String> relevant = dataset.relevant().getOrDefault(query.getKey(), Set.of());
            List<String> ranking = query.getValue();
            if (gains.values().stream().anyMatch(g -> g > 0)) {
                ndcg += RankingMetrics.ndcg(ranking, gains, 10);
                judged++;
            }
            if (!relevant.isEmpty()) {
                map += RankingMetrics.averagePrecision(ranking, relevant);
                recall += RankingMetrics.recall(ranking, relevant, DEPTH);
                withRelevant++;
            }
        }
        return new Scores(ndcg / Math.max(judged, 1), map / Math.max(withRelevant, 1), recall / Math.max(withRelevant, 1), judged);
    }

    private static List<String> top10(List<String> ranking) {
        return ranking.subList(0, Math.min(10, ranking.size()));
    }

    private static void row(StringBuilder table, EvalDataset dataset, String ranking, Scores s) {
        table.append(String.format("%-12s %-13s %8.4f %8.4f %10.4f %8d%n", dataset.name(), ranking, s.ndcg10(), s.map(),
                s.recall100(), s.queries()));
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

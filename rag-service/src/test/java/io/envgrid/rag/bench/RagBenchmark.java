package io.envgrid.rag.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.rag.PackagedService;
import io.envgrid.rag.eval.CranfieldReader;
import io.envgrid.rag.eval.EvalDataset;
import io.envgrid.rag.index.Document;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Ingestion rate and search latency of the packaged rag-service over HTTP, on a 5,000-document
 * collection: Cranfield's 1,400 abstracts repeated with distinct ids (real text; the repeats make
 * every term's document frequency about 3.6 times larger, which does not change the work per
 * query). Cranfield's 225 queries in turn, per mode, at 1 and 8 concurrent clients.
 *
 * <p>{@code cd rag-service && mvn -B -Pbench verify} ({@code -Dbench.docs=5000 -Dbench.clients=1,8 -Dbench.seconds=10}).
 */
public final class RagBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private record Cell(String mode, int clients, double perSecond, double p50, double p99) {
    }

    public static void main(String[] args) {
        try {
            measure();
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void measure() throws Exception {
        int docs = Integer.getInteger("bench.docs", 5000);
        int seconds = Integer.getInteger("bench.seconds", 10);
        List<Integer> clients = Arrays.stream(System.getProperty("bench.clients", "1,8").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        EvalDataset cranfield = CranfieldReader.read(Path.of(System.getProperty("bench.cranfield",
                "../../shared/datasets/cranfield")));
        List<String> queries = new ArrayList<>(cranfield.queries().values());
        Path index = Files.createTempDirectory("rag-bench");
        try (PackagedService rag = PackagedService.ragService(List.of("-Xmx1g"),
                Map.of("quarkus.log.level", "WARN", "envgrid.rag.index-dir", index.toString()), Path.of("target", "bench-rag.log"))) {
            String base = rag.baseUrl();
            long start = System.nanoTime();
            int batch = 100;
            for (int from = 0; from < docs; from += batch) {
                StringBuilder lines = new StringBuilder();
                for (int i = from; i < Math.min(docs, from + batch); i++) {
                    Document d = cranfield.corpus().get(i % cranfield.corpus().size());
                    lines.append(JSON.writeValueAsString(Map.of("id", d.id() + "-" + (i / cranfield.corpus().size()),
                            "title", d.title(), "text", d.text()))).append('\n');
                }
                send(HttpRequest.newBuilder(URI.create(base + "/collections/bench/documents"))
                        .header("Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofString(lines.toString())).build());
            }
            double ingestSeconds = (System.nanoTime() - start) / 1e9;
            List<Cell> cells = new ArrayList<>();
            for (String mode : List.of("bm25", "dense", "hybrid")) {
                for (int n : clients) {
                    cells.add(search(base, mode, n, seconds, queries));
                }
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "ingestion: %d documents in %.1f s = %.0f documents/s (batches of %d, "
                    + "chunked, embedded, committed)%n%n", docs, ingestSeconds, docs / ingestSeconds, batch);
            System.out.println("| mode | clients | queries/s | p50 ms | p99 ms |");
            System.out.println("|---|---:|---:|---:|---:|");
            for (Cell c : cells) {
                System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f |%n", c.mode(), c.clients(), c.perSecond(),
                        c.p50(), c.p99());
            }
        }
    }

    private static Cell search(String base, String mode, int clients, int seconds, List<String> queries) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
        List<Future<List<Long>>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            results.add(pool.submit(() -> {
                List<Long> mine = new ArrayList<>();
                int q = client;
                while (true) {
                    long started = System.nanoTime();
                    if (started >= end) {
                        return mine;
                    }
                    String body = JSON.writeValueAsString(Map.of("query", queries.get(q++ % queries.size()),
                            "collection", "bench", "mode", mode, "top_k", 10));
                    send(HttpRequest.newBuilder(URI.create(base + "/search")).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build());
                    long done = System.nanoTime();
                    if (started >= warmEnd && done < end) {
                        mine.add(done - started);
                    }
                }
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : results) {
            all.addAll(f.get());
        }
        pool.shutdown();
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Cell(mode, clients, sorted.length / (double) seconds, pct(sorted, 0.5), pct(sorted, 0.99));
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static void send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}

package io.envgrid.rag.bench;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.rag.support.PackagedApps;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.rag.api.Api;
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
import java.util.HashMap;
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
 * <p>Dense and hybrid search embed the query, unless the service's query-embedding cache holds it. The
 * benchmark repeats 225 queries, so it measures both cases apart: first with every query already cached
 * (one pass over them before measuring), then after a restart on the same index with the cache off, which
 * is what a query never seen before costs.
 *
 * <p>{@code cd rag-service && mvn -B -Pbench verify} ({@code -Dbench.docs=5000 -Dbench.clients=1,8 -Dbench.seconds=10}).
 */
public final class RagBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOK_MS = "\"took_ms\":";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** {@code vectors}: how dense and hybrid got the query's embedding ("cached", "computed"), "-" for bm25. */
    /**
     * {@code serverP99}: the 99th percentile of the service's own took_ms (whole milliseconds, from the parsed
     * request to the ranked hits with their snippets), so the table tells the service's time apart from
     * HTTP, JSON and this client's, which share the same two cores.
     */
    private record Cell(String mode, String vectors, int clients, double perSecond, double p50, double p99, double serverP99) {
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
        List<Cell> cells = new ArrayList<>();
        int batch = 100;
        double ingestSeconds;
        try (PackagedApp rag = start(index, Map.of())) {
            String base = rag.url();
            long start = System.nanoTime();
            for (int from = 0; from < docs; from += batch) {
                StringBuilder lines = new StringBuilder();
                for (int i = from; i < Math.min(docs, from + batch); i++) {
                    Document d = cranfield.corpus().get(i % cranfield.corpus().size());
                    lines.append(JSON.writeValueAsString(Map.of("id", d.id() + "-" + (i / cranfield.corpus().size()),
                            "title", d.title(), "text", d.text()))).append('\n');
                }
                send(HttpRequest.newBuilder(URI.create(base + "/collections/bench/documents"))
                        .header("Content-Type", "application/x-ndjson")
                        .header("Authorization", "Bearer " + Api.SERVICE_TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(lines.toString())).build());
            }
            ingestSeconds = (System.nanoTime() - start) / 1e9;
            for (String mode : List.of("bm25", "dense", "hybrid")) {
                for (String query : queries) {
                    send(searchRequest(base, mode, query));
                }
                for (int n : clients) {
                    cells.add(search(base, mode, mode.equals("bm25") ? "-" : "cached", n, seconds, queries));
                }
            }
            rag.stop();
        }
        try (PackagedApp rag = start(index, Map.of("envgrid.rag.query-embedding-cache-size", "0"))) {
            for (String mode : List.of("dense", "hybrid")) {
                for (int n : clients) {
                    cells.add(search(rag.url(), mode, "computed", n, seconds, queries));
                }
            }
            rag.stop();
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "ingestion: %d documents in %.1f s = %.0f documents/s (batches of %d, "
                + "chunked, embedded, committed)%n%n", docs, ingestSeconds, docs / ingestSeconds, batch);
        System.out.println("| mode | query vector | clients | queries/s | p50 ms | p99 ms | server p99 ms |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        for (Cell c : cells) {
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.0f | %.2f | %.2f | %.0f |%n", c.mode(), c.vectors(), c.clients(),
                    c.perSecond(), c.p50(), c.p99(), c.serverP99());
        }
    }

    private static PackagedApp start(Path index, Map<String, String> settings) {
        Map<String, String> properties = new HashMap<>(settings);
        properties.put("quarkus.log.level", "WARN");
        properties.put("envgrid.rag.index-dir", index.toString());
        properties.put("envgrid.allocator.service-token", Api.SERVICE_TOKEN);
        return PackagedApps.ragService(List.of("-Xmx1g"), properties, Path.of("target", "bench-rag.log"));
    }

    private static byte[] searchBody(String mode, String query) throws IOException {
        return JSON.writeValueAsBytes(Map.of("query", query, "collection", "bench", "mode", mode, "top_k", 10));
    }

    private static HttpRequest searchRequest(String base, String mode, String query) throws IOException {
        return HttpRequest.newBuilder(URI.create(base + "/search")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(searchBody(mode, query))).build();
    }

    private static Cell search(String base, String mode, String vectors, int clients, int seconds, List<String> queries) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
        List<Future<List<long[]>>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            results.add(pool.submit(() -> {
                List<long[]> mine = new ArrayList<>();
                int q = client;
                try (KeepAliveClient http = new KeepAliveClient(URI.create(base))) {
                    while (true) {
                        byte[] request = searchBody(mode, queries.get(q++ % queries.size()));
                        long started = System.nanoTime();
                        if (started >= end) {
                            return mine;
                        }
                        String body = http.post("/search", request);
                        long done = System.nanoTime();
                        if (started >= warmEnd && done < end) {
                            mine.add(new long[] {done - started, tookMs(body)});
                        }
                    }
                }
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<List<long[]>> f : results) {
            all.addAll(f.get());
        }
        pool.shutdown();
        long[] sorted = all.stream().mapToLong(sample -> sample[0]).sorted().toArray();
        long[] server = all.stream().mapToLong(sample -> sample[1] * 1_000_000).sorted().toArray();
        return new Cell(mode, vectors, clients, sorted.length / (double) seconds, pct(sorted, 0.5), pct(sorted, 0.99), pct(server, 0.99));
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static String send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** took_ms is the response's last field; found by position, so the client spends no CPU parsing the hits. */
    private static long tookMs(String searchResponse) {
        int at = searchResponse.lastIndexOf(TOOK_MS) + TOOK_MS.length();
        int end = at;
        while (end < searchResponse.length() && Character.isDigit(searchResponse.charAt(end))) {
            end++;
        }
        return Long.parseLong(searchResponse.substring(at, end));
    }
}

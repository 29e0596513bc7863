package io.envgrid.rag.api;

import static io.envgrid.rag.api.Api.doc;
import static io.envgrid.rag.api.Api.ingest;
import static io.envgrid.rag.api.Api.jsonLines;
import static io.envgrid.rag.api.Api.search;
import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Searches keep answering, with whole batches only, while the same collection is being ingested. */
@QuarkusTest
class ConcurrentIngestSearchTest {

    private static final int BATCHES = 6;
    private static final int PER_BATCH = 5;

    @Test
    void searchesSucceedAndSeeWholeBatchesWhileIngesting() throws Exception {
        ingest("busy", jsonLines(List.of(doc("seed", null, "batch seed document", Map.of("batch", "seed"))))).statusCode(200);
        // Own threads: the common pool may be a single thread on a 2-core machine.
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> work = new ArrayList<>();
            work.add(threads.submit(() -> ingestBatches(0, BATCHES / 2)));
            work.add(threads.submit(() -> ingestBatches(BATCHES / 2, BATCHES)));
            for (int s = 0; s < 2; s++) {
                work.add(threads.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        for (String mode : List.of("bm25", "hybrid")) {
                            var results = search("busy", "batch document", mode, 100).statusCode(200)
                                    .extract().jsonPath().getList("results.metadata.batch", String.class);
                            // Every batch seen is seen whole: the index never shows part of a commit.
                            results.stream().filter(b -> !b.equals("seed")).distinct().forEach(batch ->
                                    assertEquals(PER_BATCH, results.stream().filter(batch::equals).count(), "batch " + batch));
                        }
                    }
                }));
            }
            for (Future<?> future : work) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }
        get("/collections").then().body("find { it.name == 'busy' }.documents", equalTo(1 + BATCHES * PER_BATCH));
    }

    private static void ingestBatches(int from, int to) {
        for (int b = from; b < to; b++) {
            int batch = b;
            ingest("busy", jsonLines(IntStream.range(0, PER_BATCH)
                    .mapToObj(i -> doc("d" + batch + "-" + i, null, "batch document number " + i, Map.of("batch", "b" + batch)))
                    .toList())).statusCode(200);
        }
    }
}

package io.envgrid.rag.index;

import io.envgrid.testsupport.process.PackagedApp;
import static io.envgrid.rag.api.Api.doc;
import static io.envgrid.rag.api.Api.ingest;
import static io.envgrid.rag.api.Api.jsonLines;
import static io.envgrid.rag.api.Api.operator;
import static io.envgrid.rag.api.Api.search;
import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.envgrid.rag.support.PackagedRagService;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged service keeps what it acknowledged across restarts on the same index directory: after a
 * graceful stop, and after a SIGKILL straight after an ingestion answered 200 (a batch is committed
 * before the answer).
 */
class ServiceRestartIT {

    private static final String COLLECTION = "kept";

    @RegisterExtension
    final PackagedRagService rag = new PackagedRagService("restart-it-rag.log");

    @Test
    void documentsSurviveAStopAndAKill() {
        PackagedApp service = start();
        ingest(COLLECTION, jsonLines(List.of(
                doc("bees", "Bees", "Bees pollinate flowers and make honey in their hives.", Map.of("kind", "insect")),
                doc("sharks", "Sharks", "Sharks are cartilaginous fish with many rows of teeth.", Map.of("kind", "fish")),
                doc("gone", null, "Deleted before the restart, this text about honey must not come back.", Map.of()))))
                .statusCode(200).body("documents", equalTo(3));
        operator().when().delete("/collections/" + COLLECTION + "/documents/gone").then().statusCode(204);
        service.stop();

        service = start();
        get("/collections").then().statusCode(200).body("find { it.name == '" + COLLECTION + "' }.documents", equalTo(2));
        for (String mode : List.of("bm25", "dense", "hybrid")) {
            search(COLLECTION, "honey", mode, 1).statusCode(200)
                    .body("results.id", contains("bees"))
                    .body("results[0].metadata.kind", equalTo("insect"))
                    .body("results[0].snippet", equalTo("Bees pollinate flowers and make <em>honey</em> in their hives."));
        }
        search(COLLECTION, "honey", "bm25", 5).body("results.id", contains("bees"));
        ingest(COLLECTION, jsonLines(List.of(doc("owls", "Owls", "Owls hunt mice at night.", Map.of("kind", "bird")))))
                .statusCode(200);
        service.kill();

        start();
        get("/collections").then().statusCode(200).body("find { it.name == '" + COLLECTION + "' }.documents", equalTo(3));
        search(COLLECTION, "mice at night", "bm25", 1).statusCode(200).body("results.id", contains("owls"));
        search(COLLECTION, "teeth", "hybrid", 1).statusCode(200).body("results.id", contains("sharks"));
    }

    private PackagedApp start() {
        return rag.start(Map.of());
    }
}

package io.envgrid.rag.api;

import static io.envgrid.rag.api.Api.doc;
import static io.envgrid.rag.api.Api.ingest;
import static io.envgrid.rag.api.Api.jsonLines;
import static io.envgrid.rag.api.Api.search;
import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Documents come in as JSON lines, plain text or Markdown, and are replaced and deleted by id. */
@QuarkusTest
class DocumentLifecycleTest {

    @Test
    void putReplacesADocumentAndItsOldTextIsNoLongerFound() {
        ingest("lifecycle", jsonLines(List.of(doc("a", null, "the quick brown fox", Map.of("v", 1))))).statusCode(200);
        search("lifecycle", "fox", "bm25", 5).body("results[0].id", equalTo("a"));

        given().contentType(ContentType.JSON).body(Map.of("text", "a lazy dog sleeps", "metadata", Map.of("v", 2)))
                .when().put("/collections/lifecycle/documents/a").then().statusCode(200).body("documents", equalTo(1));

        search("lifecycle", "fox", "bm25", 5).body("results.id", not(hasItem("a")));
        search("lifecycle", "dog", "bm25", 5).body("results[0].id", equalTo("a")).body("results[0].metadata.v", equalTo(2));
        get("/collections").then().statusCode(200).body("find { it.name == 'lifecycle' }.documents", equalTo(1));
    }

    @Test
    void deleteRemovesEveryChunkOfADocument() {
        ingest("deletes", jsonLines(List.of(doc("keep", null, "harbour cranes", null), doc("drop", null, "harbour ferries", null))))
                .statusCode(200);
        given().when().delete("/collections/deletes/documents/drop").then().statusCode(204);
        for (String mode : List.of("bm25", "dense", "hybrid")) {
            search("deletes", "harbour ferries", mode, 5).body("results.id", not(hasItem("drop")));
        }
        given().when().delete("/collections/deletes/documents/drop").then().statusCode(404)
                .body("error.code", equalTo("DOCUMENT_NOT_FOUND"));
    }

    @Test
    void longDocumentsAreChunkedWithEveryChunkFindable() {
        String filler = "routine maintenance of the pumping station continued without incident. ".repeat(60);
        String text = "the anemometer was calibrated at dawn. " + filler + "a rare zeppelin landed on the roof.";
        ingest("chunks", jsonLines(List.of(doc("log", "Station log", text, null))))
                .statusCode(200).body("chunks", greaterThan(1));
        search("chunks", "anemometer", "bm25", 1).body("results[0].id", equalTo("log"));
        search("chunks", "zeppelin", "bm25", 1).body("results[0].id", equalTo("log"))
                .body("results[0].text", org.hamcrest.Matchers.containsString("zeppelin"));
    }

    @Test
    void markdownAndPlainTextAreIngestedAsOneDocumentEach() {
        given().contentType("text/markdown").body("# Runbook\n\nRestart the indexer when disk alarms fire.")
                .queryParam("id", "runbook").when().post("/collections/texts/documents").then()
                .statusCode(200).body("documents", equalTo(1));
        given().contentType(ContentType.TEXT).body("Coffee machine on floor three is descaled on Fridays.")
                .queryParam("id", "coffee").when().post("/collections/texts/documents").then().statusCode(200);

        search("texts", "runbook disk alarm", "bm25", 2).body("results[0].id", equalTo("runbook"));
        search("texts", "descaling the coffee machine", "hybrid", 2).body("results[0].id", equalTo("coffee"));
    }
}
